#pragma once
// Evaluation benchmarks as lists of problems (id, question as shown to the model, gold final
// answer), read from the JSONL files of ../shared/data (SOURCES.md there). The question text
// of the multiple-choice sets is built the way DeepSeek-Math's evaluation builds it
// (evaluation/data_processing/process_utils.py), so its few-shot prompts apply unchanged.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "core/json.hpp"
#include "eval/answer_extraction.hpp"

namespace dsmath::eval {

enum class BenchmarkKind {
  gsm8k,             // openai/grade-school-math test.jsonl (gold after "####") or DeepSeek's copy
  math,              // Hendrycks MATH test (5000) or MATH500: gold = "answer" field, else every \boxed
  cmath,             // CMATH: question, golden
  mgsm_zh,           // MGSM Chinese: messages[0].content, answer
  mmlu_stem,         // MMLU-STEM: question, options[4], answer letter
  gaokao_mathqa,     // AGIEval Gaokao-MathQA: question, options, label
  gaokao_mathcloze,  // AGIEval Gaokao-MathCloze: question, answer "a;b" (ordered blanks)
  sat,               // SAT math (DeepSeek-Math datasets/sat): question, options "A) .. B) ..", Answer
  ocw,               // OCW Courses (Lewkowycz et al. 2022; DeepSeek-Math datasets/ocw): problem, answer
};

struct Problem {
  std::string id;
  std::string question;
  std::string gold;
  Json meta = Json::object();  // level, subject/type, grade, topic: carried into results
};

struct Benchmark {
  std::string name;
  AnswerStyle style = AnswerStyle::math;
  std::vector<Problem> problems;
};

AnswerStyle answer_style_of(BenchmarkKind kind);

// A record's field as text: strings as they are, numbers printed ("answer": 18 -> "18");
// nullopt when absent or of another type.
std::optional<std::string> text_field(const Json& record, std::string_view key);

// Reads the benchmark file; `limit` > 0 keeps the first `limit` problems. A malformed line or
// a record without its fields is an error naming file:line (a benchmark with a silently
// skipped problem would report a wrong denominator).
Benchmark load_benchmark(BenchmarkKind kind, const std::filesystem::path& path, size_t limit = 0);

// The gold answer of a reference solution text: GSM8K's "#### N" line (commas dropped), or
// every \boxed{} of a MATH solution (math_solution_gold); the text itself when it has neither.
std::string gold_from_solution(std::string_view solution, AnswerStyle style);

// The gold of a MATH reference solution: every \boxed{} answer, as DeepSeek-Math's
// extract_math_answer takes them ("the answers are $\boxed{-2}$ and $\boxed{1}$" -> "-2, 1"),
// with boxes that repeat an earlier one (the same answer or an equivalent spelling, "x+11" and
// "11+x") kept once and \phantom placeholders of diagrams left out; nullopt without a box.
std::optional<std::string> math_solution_gold(std::string_view solution);

}  // namespace dsmath::eval

namespace dsmath::config {
template <>
struct EnumNames<eval::BenchmarkKind> {
  static constexpr std::array<std::pair<eval::BenchmarkKind, std::string_view>, 9> values{{
      {eval::BenchmarkKind::gsm8k, "gsm8k"},
      {eval::BenchmarkKind::math, "math"},
      {eval::BenchmarkKind::cmath, "cmath"},
      {eval::BenchmarkKind::mgsm_zh, "mgsm-zh"},
      {eval::BenchmarkKind::mmlu_stem, "mmlu-stem"},
      {eval::BenchmarkKind::gaokao_mathqa, "gaokao-mathqa"},
      {eval::BenchmarkKind::gaokao_mathcloze, "gaokao-mathcloze"},
      {eval::BenchmarkKind::sat, "sat"},
      {eval::BenchmarkKind::ocw, "ocw"},
  }};
};
}  // namespace dsmath::config
