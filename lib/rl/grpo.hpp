#pragma once
// The `dsmath grpo` driver: rollouts with the generation engine, rewards, group-relative
// advantages, clipped policy updates with a KL penalty to a reference model, metrics,
// checkpoints and exact resume. The phases it runs each step live in rollout.hpp (data source),
// rewards.hpp (scoring), coefficients.hpp (gradient coefficient), policy_update.hpp (update) and
// iterative.hpp (reference and reward-model refresh).
#include "rl/grpo_config.hpp"
#include "train/lm_training.hpp"

namespace dsmath::rl {

struct GrpoSummary {
  int64_t start_step = 0;
  int64_t steps = 0;
  bool stopped_early = false;
  double first_reward = 0, last_reward = 0;
  double first_accuracy = 0, last_accuracy = 0;
  std::filesystem::path checkpoint;
  Json last_eval;  // the final held-out evaluation (null if none)
};

GrpoSummary run_grpo(const GrpoConfig& config, const RunOptions& run);

}  // namespace dsmath::rl
