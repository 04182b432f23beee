// dsmath sft: supervised fine-tuning on conversations (DeepSeekMath section 3.1).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "core/strings.hpp"
#include "run_summary.hpp"
#include "train/sft.hpp"

namespace dsmath::app {

void register_sft_command(CLI::App& app) {
  struct Options {
    ConfigOptions config;
    RunDirOptions run;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("sft", "supervised fine-tuning on conversations, loss on responses only");
  add_config_options(cmd, o->config);
  add_run_options(cmd, o->run);
  cmd->callback([o] {
    auto cfg = config::load_config<SftConfig>(o->run.apply(o->config).sources());
    print_training_summary("sft", run_sft(cfg, {o->run.run_dir_or("runs/" + cfg.run_name), o->run.resume}));
  });
}

}  // namespace dsmath::app
