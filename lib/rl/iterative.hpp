#pragma once
// The per-iteration refresh of iterative RL (DeepSeekMath section 4.2, Algorithm 1): the reward
// model retrained on the policy's new samples with a replay of earlier ones. An outcome reward
// model learns each output's rule verdict; a process reward model learns step labels made the
// Math-Shepherd way (rl/step_labels.hpp) by the current policy from some of the iteration's
// outputs.
#include <filesystem>
#include <string>
#include <vector>

#include "dist/communicator.hpp"
#include "dist/dist_config.hpp"
#include "infer/generation_engine.hpp"
#include "model/transformer.hpp"
#include "optim/optim_config.hpp"
#include "rl/grpo_config.hpp"
#include "rl/rewards.hpp"
#include "rl/rollout.hpp"
#include "rl/step_labels.hpp"
#include "tokenizer/tokenizer.hpp"
#include "train/reward_data.hpp"
#include "train/reward_model.hpp"
#include "train/train_config.hpp"

namespace dsmath::rl {

// The reward model's side of Algorithm 1 in a GRPO run: what it has learnt from (its original
// training data, earlier iterations) and the current iteration's outputs, kept in the checkpoint
// so that a resumed run retrains on exactly what the uninterrupted one would.
class RewardModelRefresh {
 public:
  // Active when iterative.every_steps and reward_model_steps are set and `rewards` holds the
  // one trainable reward model (GrpoConfig::validate refuses more than one).
  RewardModelRefresh(const Rewards& rewards, const std::vector<RewardSource>& sources, const IterativeConfig& iterative);
  bool active() const { return model_ != nullptr; }
  Transformer* model() const { return model_; }

  // This step's outputs (this rank's): an outcome model keeps each with its rule verdict, a
  // process model keeps them to label at the end of the iteration.
  void add(const PromptedQuestions& pq, const Rollout& rollout, const std::vector<SampleRewards>& scored);

  // End of an iteration: label (process), then iterative.reward_model_steps BCE steps on the
  // new samples plus replayed history making up replay_fraction of the mix, drawn uniformly
  // from the model's original training data and every earlier iteration's samples.
  // `engine` samples the Math-Shepherd completions with the current policy, from `sampling`
  // (its seed is the caller's: one per iteration and rank).
  void retrain(Communicator& comm, const Tokenizer& tokenizer, GenerationEngine& engine, const SamplingConfig& sampling,
               const std::vector<int32_t>& eos, eval::AnswerStyle style, const TrainConfig& train, const DistConfig& dist,
               uint64_t seed);

  void save(const std::filesystem::path& file) const;
  void restore(const std::filesystem::path& file);

 private:
  const IterativeConfig& it_;
  Transformer* model_ = nullptr;
  RewardModelFormat format_;
  // labelled solutions as the reward model trains on them (train/reward_data.hpp): one step and
  // label (outcome), or a label per step (process)
  std::vector<RewardRecord> original_, earlier_, fresh_;
  std::vector<SolutionToLabel> to_label_;  // process: this iteration's outputs
};

// The reward model's original training data: data.train of the `dsmath rm train` config stored
// in its checkpoint (outcome or process records). Empty, with a warning, when the model has no
// such config or its files are gone: the replay then draws from the RL samples alone.
std::vector<RewardRecord> original_reward_model_data(const std::filesystem::path& model_dir);

}  // namespace dsmath::rl
