#pragma once
// Grading a JSONL file of existing completions without generating (`dsmath eval grade`):
// users grade other systems' outputs too. Each line holds a completion and its gold answer
// (field names configurable); the output repeats each line with "extracted" and "correct"
// added. Malformed lines are reported with file:line, counted, and left out of the output.
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
  std::string completion_field = "completion";
  std::string answer_field = "answer";     // the gold: a final answer, or a reference solution ("#### N", \boxed)
  std::string id_field;                    // lines sharing an id are samples of one problem; "" = one problem per line
  MetricsSpec metrics;
  GradePolicy policy;
  std::optional<std::filesystem::path> results_dir;  // also write samples.jsonl + summary.json there
  std::optional<ProgramConfig> execute;  // grade the value of each completion's program (grade_file_programs.hpp)
};

struct GradeFileReport {
  uint64_t lines = 0;      // non-empty input lines
  uint64_t graded = 0;
  uint64_t correct = 0;
  uint64_t no_answer = 0;  // graded lines without an extractable answer
  uint64_t malformed = 0;  // skipped lines (bad JSON, missing fields)
  EvalSummary summary;

  double accuracy() const { return graded ? static_cast<double>(correct) / static_cast<double>(graded) : 0.0; }
  std::string text() const;  // the summary printed on stdout
};

GradeFileReport grade_jsonl_file(const GradeFileOptions& options);

}  // namespace dsmath::eval
