#pragma once
// A benchmark ready to evaluate: its problems, the prompt format, and the grading rules.
// This is the interface the generation side drives (`dsmath eval run`):
//
//   EvalTask task = EvalTask::from_config(cfg);
//   for each problem i: prompts[i] = task.prompt(i)       // stop at task.stop_words() or EOS
//   ... generate cfg.n_samples completions per prompt with cfg.sampling ...
//   outcomes.push_back(task.grade(i, std::move(completions_of_i)));
//   EvalSummary s = task.summarize(outcomes, {cfg.pass_k, cfg.maj_k});
//   write_results(run_dir, outcomes, s, resolved_config_json, cfg.prompt_in_every_sample);
//   fmt::print("{}", s.table());
#include <optional>
#include <string>
#include <vector>

#include "eval/benchmark.hpp"
#include "eval/eval_config.hpp"
#include "eval/eval_results.hpp"
#include "eval/prompt_format.hpp"

namespace dsmath::eval {

// A completion before grading, with what the generator knows of it.
struct Completion {
  std::string text;
  std::string finish_reason;  // "eos", "stop", "length"; "" when unknown
  int64_t tokens = -1;        // generated tokens; -1 when unknown
};

class EvalTask {
 public:
  EvalTask(Benchmark benchmark, PromptFormat format, GradePolicy policy = {},
           std::optional<AnswerStyle> style = std::nullopt);
  // Loads the benchmark file and the prompt format the config names.
  static EvalTask from_config(const EvalConfig& config);

  const Benchmark& benchmark() const { return benchmark_; }
  const PromptFormat& prompt_format() const { return format_; }
  AnswerStyle style() const { return style_; }
  const GradePolicy& policy() const { return policy_; }
  size_t size() const { return benchmark_.problems.size(); }

  std::string prompt(size_t problem) const;
  // Strings that end a completion besides EOS (the few-shot format's "\nQ:", "\nProblem:").
  const std::vector<std::string>& stop_words() const { return format_.stop_words; }

  // Grades the completions of one problem (in sampling order).
  ProblemOutcome grade(size_t problem, std::vector<std::string> completions) const;
  ProblemOutcome grade(size_t problem, const std::vector<Completion>& completions) const;
  EvalSummary summarize(const std::vector<ProblemOutcome>& outcomes, const MetricsSpec& spec) const;

 private:
  Benchmark benchmark_;
  PromptFormat format_;
  GradePolicy policy_;
  AnswerStyle style_;
  std::vector<std::string> cut_markers_;  // stop words and the style's markers, applied before extraction
};

}  // namespace dsmath::eval
