#pragma once
// The per-iteration refresh of iterative RL (DeepSeekMath section 4.2, Algorithm 1): the reward
// model retrained on the policy's new samples, labelled by the rule reward, with a replay of
// earlier samples.
#include <filesystem>
#include <string>
#include <vector>

#include "dist/communicator.hpp"
#include "dist/dist_config.hpp"
#include "model/transformer.hpp"
#include "optim/optim_config.hpp"
#include "rl/grpo_config.hpp"
#include "tokenizer/tokenizer.hpp"
#include "train/train_config.hpp"

namespace dsmath::rl {

struct LabelledSolution {
  std::string question, solution;
  int label;
};

// BCE steps (iterative.reward_model_steps) on `fresh` plus replayed samples drawn to make up
// iterative.replay_fraction of the mix, uniformly from the whole history: the reward model's
// original training data (`original`) and the samples of every earlier iteration (`earlier`).
void retrain_reward_model(Transformer& rm, Communicator& comm, const Tokenizer& tok, const std::vector<LabelledSolution>& fresh,
                          const std::vector<LabelledSolution>& earlier, const std::vector<LabelledSolution>& original,
                          const IterativeConfig& it, const OptimConfig& optim, const TrainConfig& train, const DistConfig& dist,
                          uint64_t seed);

// The outcome reward model's original training data: data.train of the `dsmath rm train`
// config stored in its checkpoint (outcome records). Empty, with a warning, when the model has
// no such config or its files are gone: the replay then draws from the RL samples alone.
std::vector<LabelledSolution> original_reward_model_data(const std::vector<RewardSource>& rewards);

// The two buffers (samples since the last retraining, and all earlier ones) as one JSONL file of
// the checkpoint, so that a resumed run retrains on exactly what the uninterrupted one would.
void write_replay_buffers(const std::filesystem::path& file, const std::vector<LabelledSolution>& fresh,
                          const std::vector<LabelledSolution>& earlier);
void read_replay_buffers(const std::filesystem::path& file, std::vector<LabelledSolution>& fresh,
                         std::vector<LabelledSolution>& earlier);

}  // namespace dsmath::rl
