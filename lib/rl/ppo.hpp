#pragma once
// The `dsmath ppo` driver: the online-RL phases GRPO runs (rollout.hpp, rewards.hpp,
// policy_update.hpp, rollout_metrics.hpp) with PPO's gradient coefficient: a value model, the KL
// penalty in the reward and GAE (ppo_loss.hpp); the value model steps on each policy minibatch
// and is checkpointed (weights and AdamW state) in the checkpoint's value_model/ for exact resume.
#include "rl/grpo.hpp"
#include "rl/ppo_config.hpp"

namespace dsmath::rl {

// GRPO's summary (last_eval stays null: PPO has no periodic evaluation yet).
using PpoSummary = GrpoSummary;

PpoSummary run_ppo(const PpoConfig& config, const RunOptions& run);

}  // namespace dsmath::rl
