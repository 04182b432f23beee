#pragma once
// `dsmath eval run`: prompts from the benchmark, completions from the generation engine,
// grading, metrics, and the results directory. Also called by other stages to measure a model
// on a held-out set (the quickstart, GRPO's periodic evaluation).
//
// Results directory (results_dir):
//   run.json       the resolved config and provenance, written first; a resumed run must match it
//   samples.jsonl  one line per sample (eval_results.hpp sample_record), appended as problems
//                  complete (a chunk of problems at a time) and rewritten in benchmark order at the end
//   summary.json   the metrics with their standard errors, the grading policy, the config, the
//                  dsmath version and commit, the date and the timing; written last
// With `resume`, the problems whose samples are all in samples.jsonl are not generated again
// (their stored completions are graded anew, so a changed grader applies to them too); a run
// killed at any point continues where it stopped.
//
// Program-of-thought and tool-integrated runs (config.program) go through the same chunks: a
// chunk's programs run before its samples are appended, and a resumed run runs the stored
// completions' programs again (as it grades the others anew).
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "eval/eval_config.hpp"
#include "eval/eval_results.hpp"
#include "eval/eval_task.hpp"
#include "infer/generation_engine.hpp"
#include "model/transformer.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath::eval {

struct EvalRunOptions {
  int batch = 32;                      // sequences decoded together
  std::filesystem::path results_dir;   // "" = do not write results
  Json resolved_config = nullptr;      // stored in run.json and summary.json
  bool resume = false;                 // continue the samples already in results_dir
  Json provenance = Json::object();    // {"dsmath_version", "commit"}: copied into summary.json
};

// One generation call of the run: the requests with a chunk's sampling and a stop check. The
// model-backed run_eval() puts the generation engine behind it; tests put a script.
using GenerateCall = std::function<std::vector<Generation>(std::span<const GenerationRequest> requests,
                                                           const SamplingConfig& sampling, const StopCheck& stop)>;

// config.n_samples completions for each listed problem of `task` (problem-major order), with
// `sampling` (config.sampling, or with a chunk's seed). With program.mode tool, each is
// generated in rounds with the sandbox's output between them (eval/tool_integrated.hpp).
std::vector<Completion> generate_completions(const EvalTask& task, const std::vector<size_t>& problems,
                                             const EvalConfig& config, const SamplingConfig& sampling,
                                             const GenerateCall& generate, const Tokenizer& tokenizer);

// Grades a problem's completions: by their text, or (program-of-thought) by the value of the
// program each holds, run in the sandbox (eval/program_answer.hpp).
std::vector<ProblemOutcome> grade_problems(const EvalTask& task, const EvalConfig& config, const std::vector<size_t>& problems,
                                           const std::vector<Completion>& completions);

EvalSummary run_eval(const EvalConfig& config, const GenerateCall& generate, const Tokenizer& tokenizer,
                     const EvalRunOptions& options);
// The same with `model`'s generation engine (options.batch sequences at once).
EvalSummary run_eval(const EvalConfig& config, Transformer& model, const Tokenizer& tokenizer, const EvalRunOptions& options);

// The summary.json of a finished run in `dir`, or nullopt when the run has not finished.
std::optional<Json> finished_summary(const std::filesystem::path& dir);

}  // namespace dsmath::eval
