// dsmath dpo: Direct Preference Optimization on pairs of the SFT model's own samples
// (DeepSeekMath section 5.2.1).
#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "commands.hpp"
#include "rl/dpo.hpp"
#include "run_summary.hpp"

namespace dsmath::app {

void register_dpo_command(CLI::App& app) {
  add_training_command<rl::DpoConfig>(app, "dpo", "DPO on (right, wrong) pairs sampled from the SFT model",
                                      [](const rl::DpoConfig& cfg, const RunOptions& run) {
                                        const auto s = rl::run_dpo(cfg, run);
                                        print_stage_result("dpo", s,
                                                           fmt::format(", {} pairs, loss {:.4f} -> {:.4f}", s.pairs,
                                                                       s.first_loss, s.last_loss));
                                      });
}

}  // namespace dsmath::app
