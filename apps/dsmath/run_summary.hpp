#pragma once
// Training commands: their shared set-up (add_training_command) and the one-line result on
// stdout (rank 0 only: N ranks printing the same line would make the output of a multi-node job
// hard to script against).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "common_options.hpp"
#include "config/load.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"
#include "train/lm_training.hpp"

namespace dsmath::app {

// Thrown to end the process with a given status after the result has been printed.
struct ExitStatus {
  int code;
};
// A training run stopped by a signal has written its checkpoint but is not finished: it exits
// with EX_TEMPFAIL (75, "try again"), so job scripts do not take it for a completed stage.
inline constexpr int kExitStoppedEarly = 75;

inline void print_line(const std::string& line) {
  if (log::is_primary()) std::cout << line << "\n";
}

// "STAGE: N steps, DETAILS, checkpoint C" (or "nothing to do" when no step ran) for any run
// summary with start_step, steps, stopped_early and checkpoint (TrainingSummary, GrpoSummary);
// `details` starts with ", ". A run stopped by a signal then exits with kExitStoppedEarly.
template <class Summary>
void print_stage_result(const std::string& stage, const Summary& s, const std::string& details) {
  if (s.steps == s.start_step) {
    print_line(fmt::format("{}: nothing to do, the run is already at step {}; checkpoint {}", stage, s.steps, s.checkpoint.string()));
    return;
  }
  print_line(fmt::format("{}: {} steps{}{}, checkpoint {}", stage, s.steps,
                         s.stopped_early ? " (stopped early by a signal)" : "", details, s.checkpoint.string()));
  if (s.stopped_early) throw ExitStatus{kExitStoppedEarly};
}

inline void print_training_summary(const std::string& stage, const TrainingSummary& s, const std::string& extra = {}) {
  print_stage_result(stage, s,
                     fmt::format(", loss {:.4f} -> {:.4f}, {} tok/s{}", s.first_loss, s.last_loss,
                                 human_count(s.tokens_per_s), extra));
}

// `parent NAME`, a training stage: the config options (--config/--set) and the run-directory
// options (--run-dir, --resume, --device, --threads). Its callback loads Config and calls
// run(config, RunOptions), with the run directory defaulting to runs/<run_name>.
template <class Config, class Run>
void add_training_command(CLI::App& parent, const std::string& name, const std::string& help, Run run) {
  struct Options {
    ConfigOptions config;
    RunDirOptions run;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = parent.add_subcommand(name, help);
  add_config_options(cmd, o->config);
  add_run_options(cmd, o->run);
  cmd->callback([o, run] {
    const auto cfg = config::load_config<Config>(o->run.apply(o->config).sources());
    run(cfg, RunOptions{o->run.run_dir_or("runs/" + cfg.run_name), o->run.resume});
  });
}

}  // namespace dsmath::app
