// dsmath grpo: Group Relative Policy Optimization (DeepSeekMath section 4).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "rl/grpo.hpp"
#include "run_summary.hpp"

namespace dsmath::app {

void register_grpo_command(CLI::App& app) {
  struct Options {
    ConfigOptions config;
    RunDirOptions run;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("grpo", "reinforcement learning with GRPO (rule or reward-model rewards)");
  add_config_options(cmd, o->config);
  add_run_options(cmd, o->run);
  cmd->callback([o] {
    auto cfg = config::load_config<rl::GrpoConfig>(o->run.apply(o->config).sources());
    const auto s = rl::run_grpo(cfg, {o->run.run_dir_or("runs/" + cfg.run_name), o->run.resume});
    std::string eval;
    for (auto it = s.last_eval.begin(); s.last_eval.is_object() && it != s.last_eval.end(); ++it)
      eval += fmt::format(", {} {:.4f}", it.key(), it->get<double>());
    if (s.steps == s.start_step) {
      print_line(fmt::format("grpo: nothing to do, the run is already at step {}; checkpoint {}", s.steps, s.checkpoint.string()));
      return;
    }
    print_line(fmt::format("grpo: {} steps{}, reward {:.4f} -> {:.4f}, accuracy {:.4f} -> {:.4f}{}, checkpoint {}", s.steps,
                           s.stopped_early ? " (stopped early by a signal)" : "", s.first_reward, s.last_reward,
                           s.first_accuracy, s.last_accuracy, eval, s.checkpoint.string()));
    if (s.stopped_early) throw ExitStatus{kExitStoppedEarly};
  });
}

}  // namespace dsmath::app
