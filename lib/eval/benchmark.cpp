#include "eval/benchmark.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "data/jsonl.hpp"
#include "eval/math_grader.hpp"

namespace dsmath::eval {

std::optional<std::string> text_field(const Json& record, std::string_view key) {
  auto it = record.find(key);
  if (it == record.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  if (it->is_number()) return fmt::format("{}", it->get<double>());
  return std::nullopt;
}

namespace {

std::string required_text(const Json& record, std::string_view key, const std::string& where, std::string_view kind) {
  auto v = text_field(record, key);
  if (!v)
    fail_hint(fmt::format("a {} record needs a \"{}\" field; is this the right file for the benchmark?", kind, key),
              "{}: missing or non-text field \"{}\"", where, key);
  return *v;
}

std::string without_commas(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ',') out += c;
  return out;
}

// DeepSeek-Math's mmlu_stem/test.jsonl was written by Python and holds bare NaN (an option
// pandas read as missing) in 11 records: strict JSON rejects it. Such a line is read with the
// NaN tokens outside strings turned into null, which the option text renders as "nan", as
// DeepSeek's str(option) did when it built the prompts.
Json parse_record(const std::string& line, const std::string& where) {
  try {
    return parse_json_object(line, where);
  } catch (const Error&) {
    if (line.find("NaN") == std::string::npos) throw;
  }
  std::string fixed;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      fixed += c;
      if (c == '\\' && i + 1 < line.size()) fixed += line[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (!in_string && line.compare(i, 3, "NaN") == 0) {
      fixed += "null";
      i += 2;
      continue;
    }
    fixed += c;
  }
  return parse_json_object(fixed, where);
}

// "What of the following is the right choice? Explain your answer.\n(A) x, (B) y, ..."
// (DeepSeek-Math process_mmlu_stem: the wording its 4-shot exemplars use).
std::string mmlu_question(const Json& record, const std::string& where) {
  std::string q(trim(required_text(record, "question", where, "mmlu-stem")));
  auto it = record.find("options");
  if (it == record.end() || !it->is_array() || it->empty())
    fail_hint("an mmlu-stem record has \"options\": [four strings]", "{}: missing \"options\" list", where);
  std::vector<std::string> labelled;
  const std::string letters = "ABCDEFGHIJ";
  for (size_t i = 0; i < it->size() && i < letters.size(); ++i) {
    const Json& o = (*it)[i];
    std::string text = o.is_string() ? o.get<std::string>() : (o.is_null() ? "nan" : o.dump());
    labelled.push_back(fmt::format("({}) {}", letters[i], trim(text)));
  }
  return q + "\nWhat of the following is the right choice? Explain your answer.\n" + join(labelled, ", ");
}

// Gaokao-MathQA in the few-shot format: "...\n从以下选项中选择:    (A)... (B)..." (DeepSeek-Math
// process_agieval_gaokao_mathqa_few_shot_cot_test: question.strip().rstrip('\\'), so a space
// before the trailing backslashes stays, as it does in 12 of the 351 prompts).
std::string gaokao_mathqa_question(const Json& record, const std::string& where) {
  std::string q(trim(required_text(record, "question", where, "gaokao-mathqa")));
  while (!q.empty() && q.back() == '\\') q.pop_back();
  auto it = record.find("options");
  if (it == record.end() || !it->is_array())
    fail_hint("a gaokao-mathqa record has \"options\": [\"(A)...\", ...]", "{}: missing \"options\" list", where);
  std::vector<std::string> options;
  for (const auto& o : *it) options.emplace_back(trim(o.is_string() ? o.get<std::string>() : o.dump()));
  return q + "\n\u4ece\u4ee5\u4e0b\u9009\u9879\u4e2d\u9009\u62e9:    " + join(options, " ");
}

// SAT: options "A) x B) y C) z D) w" become "(A) x (B) y (C) z (D) w" below the MMLU-STEM
// wording (DeepSeek-Math process_math_sat: '(' before the first letter, ' B) ' -> ' (B) ').
std::string sat_question(const Json& record, const std::string& where) {
  std::string q(trim(required_text(record, "question", where, "sat")));
  std::string options(trim(required_text(record, "options", where, "sat")));
  if (options.empty() || options[0] != 'A')
    fail_hint("a sat record's \"options\" is one string \"A) ... B) ... C) ... D) ...\"",
              "{}: \"options\" does not start with 'A'", where);
  options = "(" + options;
  for (char letter : std::string_view("BCDEFG")) {
    const std::string from = fmt::format(" {}) ", letter), to = fmt::format(" ({}) ", letter);
    for (size_t pos = 0; (pos = options.find(from, pos)) != std::string::npos; pos += to.size())
      options.replace(pos, from.size(), to);
  }
  return q + "\nWhat of the following is the right choice? Explain your answer.\n" + std::string(trim(options));
}

// "$5$;$10$" -> "5;10": the ordered blanks of a cloze answer.
std::string cloze_gold(std::string_view answer) {
  std::vector<std::string> blanks;
  for (const auto& part : split(trim(answer), ';')) {
    std::string b(trim(part));
    while (!b.empty() && b.front() == '$') b.erase(0, 1);
    while (!b.empty() && b.back() == '$') b.pop_back();
    blanks.emplace_back(trim(b));
  }
  return join(blanks, ";");
}

Problem read_problem(BenchmarkKind kind, const Json& r, const std::string& where, size_t index) {
  Problem p;
  switch (kind) {
    case BenchmarkKind::gsm8k: {
      p.question = required_text(r, "question", where, "gsm8k");
      const std::string answer = required_text(r, "answer", where, "gsm8k");
      p.gold = gold_from_solution(answer, AnswerStyle::gsm8k);
      p.id = text_field(r, "id").value_or(fmt::format("gsm8k-test-{}", index));
      break;
    }
    case BenchmarkKind::math: {
      p.question = required_text(r, "problem", where, "math");
      if (auto answer = text_field(r, "answer")) {
        p.gold = *answer;
      } else {
        const std::string solution = required_text(r, "solution", where, "math");
        auto gold = math_solution_gold(solution);
        if (!gold)
          fail_hint("a MATH solution states its answer in \\boxed{...}", "{}: the solution has no \\boxed{{}} answer",
                    where);
        p.gold = *gold;
      }
      if (auto uid = text_field(r, "unique_id")) p.id = *uid;
      else if (auto idx = text_field(r, "idx")) p.id = "math-" + *idx;
      else p.id = fmt::format("math-{}", index);
      for (const char* key : {"level", "type", "subject"})
        if (r.contains(key)) p.meta[key] = r[key];
      break;
    }
    case BenchmarkKind::cmath:
      p.question = std::string(trim(required_text(r, "question", where, "cmath")));
      p.gold = without_commas(trim(required_text(r, "golden", where, "cmath")));
      p.id = fmt::format("cmath-{}", index);
      if (r.contains("grade")) p.meta["grade"] = r["grade"];
      break;
    case BenchmarkKind::mgsm_zh: {
      auto m = r.find("messages");
      if (m == r.end() || !m->is_array() || m->empty() || !(*m)[0].contains("content") ||
          !(*m)[0]["content"].is_string())
        fail_hint("an mgsm-zh record has \"messages\": [{\"role\": \"user\", \"content\": ...}]",
                  "{}: missing messages[0].content", where);
      p.question = (*m)[0]["content"].get<std::string>();
      p.gold = without_commas(required_text(r, "answer", where, "mgsm-zh"));
      p.id = "mgsm-zh-" + text_field(r, "id").value_or(std::to_string(index));
      break;
    }
    case BenchmarkKind::mmlu_stem:
      p.question = mmlu_question(r, where);
      p.gold = std::string(trim(required_text(r, "answer", where, "mmlu-stem")));
      p.id = "mmlu-stem-" + text_field(r, "id").value_or(std::to_string(index));
      if (r.contains("topic")) p.meta["topic"] = r["topic"];
      break;
    case BenchmarkKind::gaokao_mathqa:
      p.question = gaokao_mathqa_question(r, where);
      p.gold = std::string(trim(required_text(r, "label", where, "gaokao-mathqa")));
      p.id = fmt::format("gaokao-mathqa-{}", index);
      break;
    case BenchmarkKind::gaokao_mathcloze:
      p.question = std::string(trim(required_text(r, "question", where, "gaokao-mathcloze")));
      p.gold = cloze_gold(required_text(r, "answer", where, "gaokao-mathcloze"));
      p.id = fmt::format("gaokao-mathcloze-{}", index);
      break;
    case BenchmarkKind::sat:
      p.question = sat_question(r, where);
      p.gold = std::string(trim(required_text(r, "Answer", where, "sat")));
      p.id = "sat-" + text_field(r, "id").value_or(std::to_string(index));
      break;
    case BenchmarkKind::ocw:
      p.question = std::string(trim(required_text(r, "problem", where, "ocw")));
      p.gold = required_text(r, "answer", where, "ocw");
      p.id = "ocw-" + text_field(r, "id").value_or(std::to_string(index));
      break;
  }
  if (trim(p.gold).empty())
    fail_hint("every benchmark problem needs a gold answer", "{}: empty gold answer", where);
  return p;
}

}  // namespace

AnswerStyle answer_style_of(BenchmarkKind kind) {
  switch (kind) {
    case BenchmarkKind::gsm8k:
    case BenchmarkKind::cmath:
    case BenchmarkKind::mgsm_zh: return AnswerStyle::gsm8k;
    case BenchmarkKind::math: return AnswerStyle::math;
    case BenchmarkKind::mmlu_stem:
    case BenchmarkKind::sat:
    case BenchmarkKind::gaokao_mathqa: return AnswerStyle::choice;
    case BenchmarkKind::gaokao_mathcloze: return AnswerStyle::cloze;
    case BenchmarkKind::ocw: return AnswerStyle::ocw;
  }
  return AnswerStyle::generic;
}

std::string gold_from_solution(std::string_view solution, AnswerStyle style) {
  if (style == AnswerStyle::gsm8k || style == AnswerStyle::generic) {
    if (auto h = hash_answer(solution)) return without_commas(*h);
  }
  if (style != AnswerStyle::gsm8k) {
    if (auto b = math_solution_gold(solution)) return *b;
  }
  return std::string(trim(solution));
}

std::optional<std::string> math_solution_gold(std::string_view solution) {
  std::vector<std::string> answers;
  for (auto& box : all_boxed(solution)) {
    if (trim(box).empty() || starts_with(trim(box), "\\phantom")) continue;
    const bool repeated = std::any_of(answers.begin(), answers.end(),
                                      [&](const std::string& a) { return math_equal(box, a).correct; });
    if (!repeated) answers.push_back(std::move(box));
  }
  if (answers.empty()) return std::nullopt;
  return join(answers, ", ");
}

Benchmark load_benchmark(BenchmarkKind kind, const std::filesystem::path& path, size_t limit) {
  if (!std::filesystem::exists(path))
    fail_hint("give the benchmark JSONL with --set data=PATH (the files live in ../shared/data, see SOURCES.md)",
              "benchmark file '{}' does not exist", path.string());
  Benchmark b;
  b.name = std::string(config::enum_name(kind));
  b.style = answer_style_of(kind);
  LineReader reader(path);
  std::string line;
  while (reader.next(line)) {
    if (trim(line).empty()) continue;
    const std::string where = reader.where();
    const Json record = parse_record(line, where);
    b.problems.push_back(read_problem(kind, record, where, b.problems.size()));
    if (limit > 0 && b.problems.size() >= limit) break;
  }
  if (b.problems.empty())
    fail_hint("check the path and the benchmark kind", "benchmark file '{}' holds no problems", path.string());
  return b;
}

}  // namespace dsmath::eval
