#include "eval/grade_file.hpp"

#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "data/jsonl.hpp"
#include "eval/benchmark.hpp"
#include "eval/grade_file_programs.hpp"

namespace dsmath::eval {

namespace {

constexpr uint64_t kMalformedShown = 20;  // the rest are only counted

}  // namespace

std::string GradeFileReport::text() const {
  std::string out = fmt::format("graded {} of {} lines: accuracy {:.2f}% ({}/{}), no answer {}", graded, lines,
                                100.0 * accuracy(), correct, graded, no_answer);
  out += malformed ? fmt::format(", malformed {} (skipped)\n", malformed) : "\n";
  if (summary.samples > summary.problems) out += summary.table();  // lines were grouped into problems
  out += fmt::format("grading policy: {}\n", kGradingPolicy);
  return out;
}

GradeFileReport grade_jsonl_file(const GradeFileOptions& options) {
  if (!std::filesystem::exists(options.input))
    fail_hint("give the JSONL file of completions to grade", "input file '{}' does not exist", options.input.string());
  GradeFileReport report;
  const std::vector<std::string> stop_markers = default_stop_markers(options.style);
  std::optional<FilePrograms> programs;
  if (options.execute) programs.emplace(options.input, options.completion_field, *options.execute);
  LineReader reader(options.input);
  JsonlWriter writer(options.output);
  std::vector<ProblemOutcome> outcomes;
  std::map<std::string, size_t> outcome_of_id;
  const uint64_t total_bytes = std::filesystem::file_size(options.input);
  Progress progress("grading", total_bytes, "bytes");
  std::string line;
  auto malformed = [&](const std::string& message) {
    if (report.malformed++ < kMalformedShown) log::warn("{} (line skipped)", message);
  };
  while (reader.next(line)) {
    progress.update(reader.bytes_read());
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++report.lines;
    const std::string where = reader.where();
    Json record;
    try {
      record = parse_json_object(line, where);
    } catch (const Error& e) {
      malformed(e.what());
      continue;
    }
    const auto completion = text_field(record, options.completion_field);
    const auto answer = text_field(record, options.answer_field);
    if (!completion || !answer) {
      malformed(fmt::format("{}: missing or non-text field \"{}\"", where,
                            !completion ? options.completion_field : options.answer_field));
      continue;
    }
    const std::string gold = gold_from_solution(*answer, options.style);
    SampleGrade grade = programs ? programs->grade(reader.line_number(), gold, options.style, options.policy)
                                 : grade_completion(*completion, gold, options.style, stop_markers, options.policy);
    record["extracted"] = grade.extracted;
    record["correct"] = grade.correct;
    writer.write(record);
    ++report.graded;
    report.correct += grade.correct ? 1 : 0;
    report.no_answer += grade.extracted.empty() ? 1 : 0;

    std::string id = fmt::format("line-{}", reader.line_number());
    if (!options.id_field.empty()) {
      auto v = text_field(record, options.id_field);
      if (v) id = *v;
    }
    auto [it, fresh] = outcome_of_id.emplace(id, outcomes.size());
    if (fresh) {
      ProblemOutcome o;
      o.problem_id = id;
      o.gold = gold;
      if (auto p = text_field(record, "prompt")) o.prompt = *p;
      outcomes.push_back(std::move(o));
    }
    SampleOutcome s;
    if (options.results_dir) s.completion = *completion;
    s.grade = std::move(grade);
    outcomes[it->second].samples.push_back(std::move(s));
  }
  progress.finish();
  if (report.malformed > kMalformedShown)
    log::warn("{} more malformed lines not shown", report.malformed - kMalformedShown);
  if (report.graded == 0)
    fail_hint(fmt::format("each line must be a JSON object with \"{}\" and \"{}\" (see --completion-field, --answer-field)",
                          options.completion_field, options.answer_field),
              "{}: no gradable line ({} lines, {} malformed)", options.input.string(), report.lines, report.malformed);
  writer.commit();
  report.summary = summarize(outcomes, options.metrics, options.style, options.policy, options.benchmark_name, "given");
  if (options.results_dir) write_results(*options.results_dir, outcomes, report.summary, Json());
  return report;
}

}  // namespace dsmath::eval
