#include "eval/eval_task.hpp"

#include <algorithm>
#include <memory>

#include "core/error.hpp"

namespace dsmath::eval {

EvalTask::EvalTask(Benchmark benchmark, PromptFormat format, GradePolicy policy, std::optional<AnswerStyle> style)
    : benchmark_(std::move(benchmark)),
      format_(std::move(format)),
      policy_(policy),
      style_(style.value_or(benchmark_.style)) {
  cut_markers_ = format_.stop_words;
  // A few-shot completion that ran on into the next exemplar is cut at the style's markers too;
  // a zero-shot chat answer is not: "\nProblem:" inside an instruct model's answer is its own
  // text, and cutting there would turn a boxed answer after it into "no answer".
  if (format_.few_shot)
    for (auto& m : default_stop_markers(style_))
      if (std::find(cut_markers_.begin(), cut_markers_.end(), m) == cut_markers_.end()) cut_markers_.push_back(m);
}

EvalTask EvalTask::from_config(const EvalConfig& config) {
  Benchmark benchmark = load_benchmark(config.benchmark, config.data, static_cast<size_t>(config.limit));
  PromptFormat format;
  if (config.prompt.kind == PromptKind::few_shot) {
    format = load_few_shot_format(config.prompt.few_shot_file, config.prompt.few_shot_key);
  } else if (config.prompt.kind == PromptKind::chat) {
    format = chat_format(config.prompt.chat_template);
  } else {
    if (config.prompt.tokenizer_config.empty())
      fail_hint("set prompt.tokenizer_config (`dsmath eval run` uses the model's tokenizer_config.json)",
                "prompt.kind tokenizer_chat needs a tokenizer_config.json");
    auto chat = std::make_shared<const HfChatTemplate>(
        HfChatTemplate::load(config.prompt.tokenizer_config, config.prompt.template_name));
    std::vector<std::pair<std::string, std::string>> exemplars;
    if (config.prompt.few_shot_turns)
      exemplars = few_shot_exemplars(load_few_shot_format(config.prompt.few_shot_file, config.prompt.few_shot_key));
    format = tokenizer_chat_format(std::move(chat), config.prompt.user_message, config.prompt.system_prompt, exemplars);
  }
  for (const auto& w : config.prompt.extra_stop_words)
    if (!w.empty()) format.stop_words.push_back(w);
  return EvalTask(std::move(benchmark), std::move(format), config.grading.grade_policy(), config.answer_style);
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

ProblemOutcome EvalTask::grade(size_t problem, const std::vector<Completion>& completions) const {
  std::vector<std::string> texts;
  texts.reserve(completions.size());
  for (const auto& c : completions) texts.push_back(c.text);
  ProblemOutcome o = grade(problem, std::move(texts));
  for (size_t i = 0; i < completions.size(); ++i) {
    o.samples[i].finish_reason = completions[i].finish_reason;
    o.samples[i].generated_tokens = completions[i].tokens;
  }
  return o;
}

EvalSummary EvalTask::summarize(const std::vector<ProblemOutcome>& outcomes, const MetricsSpec& spec) const {
  return eval::summarize(outcomes, spec, style_, policy_, benchmark_.name, format_.name);
}

}  // namespace dsmath::eval
