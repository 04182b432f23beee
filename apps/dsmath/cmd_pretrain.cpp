// dsmath pretrain: (continued) pretraining from token shards (DeepSeekMath section 2.2).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"
#include "run_summary.hpp"
#include "train/pretrain.hpp"

namespace dsmath::app {

void register_pretrain_command(CLI::App& app) {
  struct Options {
    ConfigOptions config;
    RunDirOptions run;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("pretrain", "pretrain or continue pretraining a model on token shards");
  add_config_options(cmd, o->config);
  add_run_options(cmd, o->run);
  cmd->callback([o] {
    auto cfg = config::load_config<PretrainConfig>(o->run.apply(o->config).sources());
    RunOptions run{o->run.run_dir_or("runs/" + cfg.run_name), o->run.resume};
    print_training_summary("pretrain", run_pretrain(cfg, run));
  });
}

}  // namespace dsmath::app
