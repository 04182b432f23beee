#include "eval/eval_task.hpp"

#include <algorithm>

namespace dsmath::eval {

EvalTask::EvalTask(Benchmark benchmark, PromptFormat format, GradePolicy policy, std::optional<AnswerStyle> style)
    : benchmark_(std::move(benchmark)),
      format_(std::move(format)),
      policy_(policy),
      style_(style.value_or(benchmark_.style)) {
  cut_markers_ = format_.stop_words;
  for (auto& m : default_stop_markers(style_))
    if (std::find(cut_markers_.begin(), cut_markers_.end(), m) == cut_markers_.end()) cut_markers_.push_back(m);
}

EvalTask EvalTask::from_config(const EvalConfig& config) {
  Benchmark benchmark = load_benchmark(config.benchmark, config.data, static_cast<size_t>(config.limit));
  PromptFormat format = config.prompt.kind == PromptKind::few_shot
                            ? load_few_shot_format(config.prompt.few_shot_file, config.prompt.few_shot_key)
                            : chat_format(config.prompt.chat_template);
  for (const auto& w : config.prompt.extra_stop_words)
    if (!w.empty()) format.stop_words.push_back(w);
  GradePolicy policy;
  policy.relative_tolerance = config.relative_tolerance;
  return EvalTask(std::move(benchmark), std::move(format), policy, config.answer_style);
}

std::string EvalTask::prompt(size_t problem) const { return format_.render(benchmark_.problems.at(problem).question); }

ProblemOutcome EvalTask::grade(size_t problem, std::vector<std::string> completions) const {
  const Problem& p = benchmark_.problems.at(problem);
  ProblemOutcome o;
  o.problem_id = p.id;
  o.gold = p.gold;
  o.prompt = prompt(problem);
  o.meta = p.meta;
  o.samples.reserve(completions.size());
  for (auto& c : completions) {
    SampleOutcome s;
    s.grade = grade_completion(c, p.gold, style_, cut_markers_, policy_);
    s.completion = std::move(c);
    o.samples.push_back(std::move(s));
  }
  return o;
}

EvalSummary EvalTask::summarize(const std::vector<ProblemOutcome>& outcomes, const MetricsSpec& spec) const {
  return eval::summarize(outcomes, spec, style_, policy_, benchmark_.name, format_.name);
}

}  // namespace dsmath::eval
