#pragma once
// Program-of-thought grading: the program is taken from the completion the way DeepSeek-Math's
// run_pal_eval.py takes it, run in the sandbox (sandbox/sandbox.hpp), and the value it
// produces graded against the gold answer with the benchmark's rules (grade_sample.hpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eval/eval_results.hpp"
#include "eval/program_config.hpp"
#include "sandbox/sandbox_result.hpp"

namespace dsmath::eval {

// The Python source to run for `completion` (the program plus a few lines that print its
// value after a marker), or nullopt when the completion holds no program:
//   solution_call:   the first fenced block, else the whole completion (PAL GSM8K's
//                    completion is the program); value: str(solution())
//   answer_variable: exactly two fenced blocks, the program and its imports (PAL MATH's
//                    format: code = imports + "\n\n" + program); value: str(answer)
//   printed:         the first fenced block, else the whole completion; value: its stdout
std::optional<std::string> program_of_completion(std::string_view completion, ProgramMode mode);

// DeepSeek's process_generation_to_code: every comment becomes "# comments", one-line
// docstrings '"""comments"""', multi-line docstrings are dropped (what the model wrote there,
// the question text included, cannot break the program).
std::string neutralize_comments(std::string_view code);

// The value a run produced ("" when it failed or printed none).
std::string program_value(const sandbox::SandboxResult& run, ProgramMode mode);

// The verdict of one executed program: extracted = its value, method = "program" or
// "program: <why it stopped>", correct = the value against the gold.
SampleGrade grade_program_run(const std::optional<sandbox::SandboxResult>& run, ProgramMode mode,
                              std::string_view gold, AnswerStyle style, const GradePolicy& policy);

// Runs the program of every sample's completion (in parallel, config.sandbox) and replaces
// each sample's grade with the program's. For `dsmath eval run` with a PAL prompt.
void grade_outcomes_by_execution(std::vector<ProblemOutcome>& outcomes, AnswerStyle style, const GradePolicy& policy,
                                 const ProgramConfig& config);

// The program config of `eval grade --execute --program NAME`: NAME, or "" for the style's
// PAL format (gsm8k-style numbers: solution_call; math: answer_variable; else printed).
ProgramConfig execute_options(const std::string& program, AnswerStyle style, double timeout_seconds, int parallel);

// The runs of many completions' programs (nullopt where a completion holds none), in order.
std::vector<std::optional<sandbox::SandboxResult>> run_completion_programs(const std::vector<std::string>& completions,
                                                                           const ProgramConfig& config);

}  // namespace dsmath::eval
