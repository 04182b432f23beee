// dsmath grpo: Group Relative Policy Optimization (DeepSeekMath section 4).
#include <CLI/CLI.hpp>

#include <string>

#include <fmt/format.h>

#include "commands.hpp"
#include "rl/grpo.hpp"
#include "run_summary.hpp"

namespace dsmath::app {

void register_grpo_command(CLI::App& app) {
  add_training_command<rl::GrpoConfig>(
      app, "grpo", "reinforcement learning with GRPO (rule or reward-model rewards)",
      [](const rl::GrpoConfig& cfg, const RunOptions& run) {
        const auto s = rl::run_grpo(cfg, run);
        std::string eval;
        for (auto it = s.last_eval.begin(); s.last_eval.is_object() && it != s.last_eval.end(); ++it)
          eval += fmt::format(", {} {:.4f}", it.key(), it->get<double>());
        print_stage_result("grpo", s,
                           fmt::format(", reward {:.4f} -> {:.4f}, accuracy {:.4f} -> {:.4f}{}", s.first_reward,
                                       s.last_reward, s.first_accuracy, s.last_accuracy, eval));
      });
}

}  // namespace dsmath::app
