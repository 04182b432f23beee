// dsmath sft: supervised fine-tuning on conversations (DeepSeekMath section 3.1).
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "run_summary.hpp"
#include "train/sft.hpp"

namespace dsmath::app {

void register_sft_command(CLI::App& app) {
  add_training_command<SftConfig>(app, "sft", "supervised fine-tuning on conversations, loss on responses only",
                                  [](const SftConfig& cfg, const RunOptions& run) {
                                    print_training_summary("sft", run_sft(cfg, run));
                                  });
}

}  // namespace dsmath::app
