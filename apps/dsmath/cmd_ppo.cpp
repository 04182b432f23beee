// dsmath ppo: Proximal Policy Optimization with a value model (DeepSeekMath section 4.1, eq. 1-2).
#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "commands.hpp"
#include "rl/ppo.hpp"
#include "run_summary.hpp"

namespace dsmath::app {

void register_ppo_command(CLI::App& app) {
  add_training_command<rl::PpoConfig>(app, "ppo", "reinforcement learning with PPO (value model, GAE, KL penalty in the reward)",
                                      [](const rl::PpoConfig& cfg, const RunOptions& run) {
                                        const auto s = rl::run_ppo(cfg, run);
                                        print_stage_result("ppo", s,
                                                           fmt::format(", reward {:.4f} -> {:.4f}, accuracy {:.4f} -> {:.4f}",
                                                                       s.first_reward, s.last_reward, s.first_accuracy,
                                                                       s.last_accuracy));
                                      });
}

}  // namespace dsmath::app
