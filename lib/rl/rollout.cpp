#include "rl/rollout.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/log.hpp"
#include "infer/stop_strings.hpp"

namespace dsmath::rl {

PromptedQuestions prompt_questions(std::vector<RlQuestion> questions, const Tokenizer& tokenizer, const ChatFormat& chat,
                                   const std::string& prompt_suffix, int context) {
  PromptedQuestions out;
  for (auto& q : questions) {
    const auto ids = tokenizer.encode(chat.prompt(q.question + prompt_suffix), false);
    // at least one completion token must fit after the prompt
    if (static_cast<int>(ids.size()) + 1 > context) {
      if (out.skipped_too_long++ == 0)
        log::warn("{}: the prompt has {} tokens, the model's context {}: skipped (and every other such question)", q.where,
                  ids.size(), context);
      continue;
    }
    out.longest_prompt = std::max(out.longest_prompt, ids.size());
    out.prompts.emplace_back(ids.begin(), ids.end());
    out.questions.push_back(std::move(q));
  }
  if (out.questions.empty())
    fail_hint("shorten the questions or use a model with a longer context",
              "every one of the {} questions has a prompt longer than the model's context ({} tokens)", out.skipped_too_long,
              context);
  if (out.skipped_too_long > 0) log::warn("{} questions skipped: prompt longer than the context", out.skipped_too_long);
  return out;
}

Rollout sample_rollout(GenerationEngine& engine, const Tokenizer& tokenizer, const PromptedQuestions& pq,
                       const std::vector<size_t>& mine, int group_size, const SamplingConfig& sampling,
                       const std::vector<int32_t>& eos) {
  Rollout r;
  std::vector<GenerationRequest> requests;
  for (size_t q : mine)
    for (int g = 0; g < group_size; ++g) {
      requests.push_back({pq.prompts[q]});
      r.question.push_back(q);
    }
  r.outputs = engine.generate(requests, sampling, eos);
  for (const auto& o : r.outputs) r.completions.push_back(completion_text(tokenizer, o.tokens, {}));
  return r;
}

std::vector<SampleRewards> score_rollout(const Rewards& rewards, const PromptedQuestions& pq, const Rollout& rollout) {
  std::vector<std::string> questions, golds;
  std::vector<std::vector<int32_t>> tokens;
  for (size_t i = 0; i < rollout.outputs.size(); ++i) {
    questions.push_back(pq.questions[rollout.question[i]].question);
    golds.push_back(pq.questions[rollout.question[i]].gold);
    tokens.push_back(rollout.outputs[i].tokens);
  }
  return rewards.score(questions, golds, rollout.completions, tokens);
}

}  // namespace dsmath::rl
