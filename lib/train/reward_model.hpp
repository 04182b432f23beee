#pragma once
// Reward models: training (`dsmath rm train`), scoring (`dsmath rm score`, GRPO's model rewards)
// and their held-out quality (ROC AUC).
#include <span>
#include <string>
#include <vector>

#include "tokenizer/chat_template.hpp"
#include "train/lm_training.hpp"
#include "train/rm_config.hpp"
#include "train/trainer.hpp"

namespace dsmath {

// Mean binary cross-entropy with logits over the labelled positions of the global batch
// (targets hold 0/1 labels; -1 = unlabelled): loss = softplus(v) - y v, d/dv = sigmoid(v) - y.
Objective binary_cross_entropy_objective(double global_labels);

// Area under the ROC curve: the probability that a random positive scores above a random
// negative (ties count half). NaN when one class is absent.
double roc_auc(std::span<const float> scores, std::span<const int> labels);

// Scores solutions with a reward model: sigmoid of the value at each scored position.
class RewardScorer {
 public:
  RewardScorer(Transformer& model, const Tokenizer& tokenizer, RewardKind kind, std::string step_separator,
               int batch_rows = 16);
  // One score per solution (outcome) or per step (process).
  std::vector<std::vector<float>> score(std::span<const std::string> questions,
                                        std::span<const std::vector<std::string>> steps);
  RewardKind kind() const { return kind_; }

 private:
  Transformer& model_;
  const Tokenizer& tokenizer_;
  ChatFormat chat_;
  RewardKind kind_;
  std::string separator_;
  int batch_rows_;
};

TrainingSummary run_rm_training(const RmConfig& config, const RunOptions& run);

}  // namespace dsmath
