// dsmath pretrain: (continued) pretraining from token shards (DeepSeekMath section 2.2).
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "run_summary.hpp"
#include "train/pretrain.hpp"

namespace dsmath::app {

void register_pretrain_command(CLI::App& app) {
  add_training_command<PretrainConfig>(app, "pretrain", "pretrain or continue pretraining a model on token shards",
                                       [](const PretrainConfig& cfg, const RunOptions& run) {
                                         print_training_summary("pretrain", run_pretrain(cfg, run));
                                       });
}

}  // namespace dsmath::app
