// dsmath rft: Rejection-sampling Fine-Tuning (DeepSeekMath section 5.2.1): the SFT model's
// correct samples, deduplicated, as fine-tuning data.
#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "commands.hpp"
#include "rl/rft_config.hpp"
#include "run_summary.hpp"

namespace dsmath::app {

void register_rft_command(CLI::App& app) {
  add_training_command<rl::RftConfig>(app, "rft", "rejection-sampling fine-tuning on the SFT model's correct samples",
                                      [](const rl::RftConfig& cfg, const RunOptions& run) {
                                        const auto s = rl::run_rft(cfg, run);
                                        const std::string kept =
                                            s.sampled > 0 ? fmt::format(", kept {} of {} samples", s.kept, s.sampled) : "";
                                        print_training_summary("rft", s.sft, kept);
                                      });
}

}  // namespace dsmath::app
