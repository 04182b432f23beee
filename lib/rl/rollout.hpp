#pragma once
// The data-source phase of online RL (DeepSeekMath section 5.2.1, Table 10: "data source"):
// each question rendered in the chat format and G outputs sampled from the current policy.
#include <string>
#include <vector>

#include "infer/generation_engine.hpp"
#include "rl/rewards.hpp"
#include "rl/rl_data.hpp"
#include "tokenizer/chat_template.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath::rl {

// Questions with their prompts tokenized once; prompts that leave no room for a completion in
// the model's context are dropped and counted (a long question is data, not a fatal error).
struct PromptedQuestions {
  std::vector<RlQuestion> questions;
  std::vector<std::vector<int32_t>> prompts;  // parallel to questions
  size_t skipped_too_long = 0;
  size_t longest_prompt = 0;
};

PromptedQuestions prompt_questions(std::vector<RlQuestion> questions, const Tokenizer& tokenizer, const ChatFormat& chat,
                                   const std::string& prompt_suffix, int context);

// The outputs of one rank for one step: G per question, question-major.
struct Rollout {
  std::vector<size_t> question;          // per output: index into PromptedQuestions
  std::vector<Generation> outputs;
  std::vector<std::string> completions;  // decoded outputs
};

Rollout sample_rollout(GenerationEngine& engine, const Tokenizer& tokenizer, const PromptedQuestions& pq,
                       const std::vector<size_t>& mine, int group_size, const SamplingConfig& sampling,
                       const std::vector<int32_t>& eos);

// The scoring phase: every output of the rollout against its question's reference answer.
std::vector<SampleRewards> score_rollout(const Rewards& rewards, const PromptedQuestions& pq, const Rollout& rollout);

}  // namespace dsmath::rl
