#pragma once
// The `dsmath ppo` driver: the online-RL phases GRPO runs (rollout.hpp, rewards.hpp,
// policy_update.hpp, rollout_metrics.hpp) with PPO's gradient coefficient: a value model, the KL
// penalty in the reward and GAE (ppo_loss.hpp); the value model steps on each policy minibatch
// and is checkpointed (weights and AdamW state) in the checkpoint's value_model/ for exact resume.
#include "rl/ppo_config.hpp"
#include "train/lm_training.hpp"

namespace dsmath::rl {

struct PpoSummary {
  int64_t start_step = 0;
  int64_t steps = 0;
  bool stopped_early = false;
  double first_reward = 0, last_reward = 0;
  double first_accuracy = 0, last_accuracy = 0;
  std::filesystem::path checkpoint;
};

PpoSummary run_ppo(const PpoConfig& config, const RunOptions& run);

}  // namespace dsmath::rl
