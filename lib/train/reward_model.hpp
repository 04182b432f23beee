#pragma once
// Reward models: training (`dsmath rm train`), scoring (`dsmath rm score`, GRPO's model rewards)
// and their held-out quality (ROC AUC).
#include <filesystem>
#include <optional>
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

// How a reward model renders what it scores: one score per solution or per step, and the text
// between steps. `dsmath rm train` stores both in each checkpoint's config.yaml (data.kind,
// data.step_separator); scoring with another separator than the one the model learnt its step
// ends on gives scores at positions it was never trained to score.
struct RewardModelFormat {
  RewardKind kind = RewardKind::outcome;
  std::string step_separator = "\n";
};

// The `dsmath rm train` config stored in a reward model's checkpoint (nullopt when the directory
// holds none, e.g. a model from elsewhere).
std::optional<RmConfig> stored_reward_model_config(const std::filesystem::path& model_dir);

// The format to score with. `kind` nullopt and `separator` "" take the stored ones (else outcome
// and "\n"); a configured kind or separator that differs from the stored one is an error naming
// `what` (the config key or option), since the scores would be silently wrong.
RewardModelFormat reward_model_format(const std::filesystem::path& model_dir, std::optional<RewardKind> kind,
                                      const std::string& separator, const std::string& what);

TrainingSummary run_rm_training(const RmConfig& config, const RunOptions& run);

}  // namespace dsmath
