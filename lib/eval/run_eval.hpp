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
// The steps are separate so that another way of grading (executing a program-of-thought
// completion, say) can sit between generation and summarizing: generate_completions() gives
// the raw completions with their finish reason and token count, EvalTask::grade() grades them.
#include <filesystem>
#include <string>
#include <vector>

#include "eval/eval_config.hpp"
#include "eval/eval_results.hpp"
#include "eval/eval_task.hpp"
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

// config.n_samples completions for each listed problem of `task` (problem-major order), with
// `sampling` (config.sampling, or with a chunk's seed).
std::vector<Completion> generate_completions(const EvalTask& task, const std::vector<size_t>& problems,
                                             const EvalConfig& config, const SamplingConfig& sampling, Transformer& model,
                                             const Tokenizer& tokenizer, int batch, size_t* generated_tokens = nullptr);

EvalSummary run_eval(const EvalConfig& config, Transformer& model, const Tokenizer& tokenizer, const EvalRunOptions& options);

// The summary.json of a finished run in `dir`, or nullopt when the run has not finished.
std::optional<Json> finished_summary(const std::filesystem::path& dir);

}  // namespace dsmath::eval
