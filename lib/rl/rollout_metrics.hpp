#pragma once
// The metrics phase of online RL (GRPO, PPO): a step's rewards, accuracy, lengths, clipping,
// entropy and log-prob mismatch, summed over ranks, under TRL's names beside ours where TRL has one.
#include <vector>

#include "core/json.hpp"
#include "dist/communicator.hpp"
#include "rl/policy_update.hpp"
#include "rl/rewards.hpp"
#include "rl/rollout.hpp"

namespace dsmath::rl {

// questions_per_step counts all ranks; "kl" is the in-loss k3 estimate (0 without a reference).
Json rollout_step_metrics(Communicator& comm, const std::vector<RewardSource>& sources, int questions_per_step, int group_size,
                          const Rollout& rollout, const std::vector<SampleRewards>& scored, const UpdateResult& update,
                          double zero_std_groups);

}  // namespace dsmath::rl
