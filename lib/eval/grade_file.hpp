#pragma once
// Grading a file of existing completions without generating (`dsmath eval grade`): users
// grade other systems' outputs too. Each record holds a completion and its gold answer; the
// output repeats each record with "extracted" and "correct" added. Malformed records are
// reported with file:line (file:[index] in a JSON array), counted, and left out of the output.
//
// The input is JSONL or one JSON array of objects (the first non-blank character decides).
// Fields are given as paths (field_at_path): dotted keys and list indices, "outputs.0.text"
// (vLLM), "resps.0.0" (lm-evaluation-harness), "doc.answer", "choices.0.message.content"
// (OpenAI), and "*" for every element of a list, "outputs.*.text". A completion path that
// names a list of strings grades each element as a sample of that record's problem (then
// "extracted" and "correct" are lists); a gold that is a list of strings (DeepSeek-Math's
// MATH and cloze "answer") is one answer of several parts.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "eval/eval_results.hpp"
#include "eval/program_config.hpp"

namespace dsmath::eval {

struct GradeFileOptions {
  std::filesystem::path input;
  std::filesystem::path output;
  AnswerStyle style = AnswerStyle::generic;
  std::string benchmark_name = "generic";  // label in the summary
  std::string completion_field = "completion";  // a path (see above)
  std::string answer_field = "answer";     // the gold: a final answer, or a reference solution ("#### N", \boxed)
  std::string id_field;                    // records sharing an id are samples of one problem; "" = one problem per record
  bool cut_at_markers = true;              // cut completions at the style's few-shot markers (off for zero-shot chat outputs)
  MetricsSpec metrics;
  GradePolicy policy;
  std::optional<std::filesystem::path> results_dir;  // also write samples.jsonl + summary.json there
  std::optional<ProgramConfig> execute;  // grade the value of each completion's program (program_answer.hpp); tool mode is refused
};

// The value at `path` in `record`: "a.b.0" walks key a, key b, index 0; a key that itself
// holds dots ("a.b") is found when the whole path is one key of the object. "*" collects the
// rest of the path from every element of a list into a list. nullopt when a step is missing.
std::optional<Json> field_at_path(const Json& record, std::string_view path);

struct GradeFileReport {
  uint64_t lines = 0;      // non-empty input records
  uint64_t graded = 0;     // graded samples (a list-valued completion counts each element)
  uint64_t correct = 0;
  uint64_t no_answer = 0;  // graded lines without an extractable answer
  uint64_t malformed = 0;  // skipped lines (bad JSON, missing fields)
  EvalSummary summary;

  double accuracy() const { return graded ? static_cast<double>(correct) / static_cast<double>(graded) : 0.0; }
  std::string text() const;  // the summary printed on stdout
};

GradeFileReport grade_jsonl_file(const GradeFileOptions& options);

}  // namespace dsmath::eval
