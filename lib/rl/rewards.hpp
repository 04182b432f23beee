#pragma once
// Reward functions for GRPO: rule (the eval grader against the reference answer), format (an
// answer can be extracted) and reward models (outcome or process), combined with weights.
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "model/transformer.hpp"
#include "rl/grpo_config.hpp"
#include "tokenizer/tokenizer.hpp"
#include "train/reward_model.hpp"

namespace dsmath::rl {

struct SampleRewards {
  std::vector<double> by_source;  // one per RewardSource, unweighted
  double total = 0;               // weighted sum
  bool correct = false;           // the rule verdict (grader), whatever the sources
  std::vector<double> step_rewards;  // process reward model: one per step
  std::vector<int> step_ends;        // last completion token of each step
};

class Rewards {
 public:
  // trainable: the outcome reward model gets gradients (iterative RL retrains it).
  Rewards(const std::vector<RewardSource>& sources, eval::AnswerStyle style, Backend& backend, const Tokenizer& tokenizer,
          bool trainable = false);
  ~Rewards();

  // Scores completions of questions[i] against golds[i]; tokens[i] are the completion's ids.
  std::vector<SampleRewards> score(const std::vector<std::string>& questions, const std::vector<std::string>& golds,
                                   const std::vector<std::string>& completions,
                                   const std::vector<std::vector<int32_t>>& tokens) const;

  // The outcome reward model, if one is used (iterative RL retrains it).
  Transformer* outcome_model() const;

 private:
  struct ModelScorer;
  std::vector<RewardSource> sources_;
  eval::AnswerStyle style_;
  const Tokenizer& tokenizer_;
  std::vector<std::unique_ptr<ModelScorer>> models_;  // parallel to sources_ (null when not a model)
};

// Splits a completion into steps by `separator` and finds the last token of each step.
void split_steps(const Tokenizer& tokenizer, const std::string& completion, const std::vector<int32_t>& tokens,
                 const std::string& separator, std::vector<std::string>& steps, std::vector<int>& step_ends);

}  // namespace dsmath::rl
