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
  // trainable: the reward models get gradients (iterative RL retrains one).
  Rewards(const std::vector<RewardSource>& sources, eval::AnswerStyle style, Backend& backend, const Tokenizer& tokenizer,
          bool trainable = false);
  ~Rewards();

  // Scores completions of questions[i] against golds[i]; tokens[i] are the completion's ids.
  std::vector<SampleRewards> score(const std::vector<std::string>& questions, const std::vector<std::string>& golds,
                                   const std::vector<std::string>& completions,
                                   const std::vector<std::vector<int32_t>>& tokens) const;

  // The reward model of rewards[source] and the format it scores in (null for other kinds).
  Transformer* model(size_t source) const;
  const RewardModelFormat* model_format(size_t source) const;

 private:
  struct ModelScorer;
  std::vector<RewardSource> sources_;
  eval::AnswerStyle style_;
  const Tokenizer& tokenizer_;
  std::vector<std::unique_ptr<ModelScorer>> models_;  // parallel to sources_ (null when not a model)
};

// The steps of a completion split by `separator`: [begin, end) byte ranges of the pieces that are
// not blank (a separator is not part of either step). One splitting for scoring and labelling, so
// that a process reward model is trained on the steps it later scores.
struct StepSpan {
  size_t begin = 0, end = 0;
};
std::vector<StepSpan> step_spans(const std::string& completion, const std::string& separator);

// Splits a completion into steps by `separator` and finds the last token of each step.
void split_steps(const Tokenizer& tokenizer, const std::string& completion, const std::vector<int32_t>& tokens,
                 const std::string& separator, std::vector<std::string>& steps, std::vector<int>& step_ends);

}  // namespace dsmath::rl
