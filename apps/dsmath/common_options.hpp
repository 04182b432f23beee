#pragma once
// Options every stage command shares: --config FILE, repeated --set a.b=VALUE, --run-dir DIR,
// --device, --threads. A stage command adds them, then loads its config struct with them.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "config/load.hpp"

namespace dsmath::app {

struct ConfigOptions {
  std::string config_file;
  std::vector<std::string> overrides;
  config::ConfigSources sources() const {
    config::ConfigSources s;
    if (!config_file.empty()) s.file = config_file;
    s.overrides = overrides;
    return s;
  }
};

inline void add_config_options(CLI::App* cmd, ConfigOptions& o) {
  cmd->add_option("-c,--config", o.config_file, "YAML config file (defaults apply to keys it leaves out)");
  cmd->add_option("-s,--set", o.overrides, "override a config key: --set optim.lr_peak=3e-4 (repeatable)")
      ->allow_extra_args(false);  // one KEY=VALUE per --set; every occurrence is kept, in order
}

// --run-dir, --resume and the --device/--threads shortcuts of training stages; the shortcuts
// become overrides of runtime.device / runtime.threads (applied after the user's --set).
struct RunDirOptions {
  std::string run_dir;
  bool resume = false;
  std::string device;
  int threads = -1;

  ConfigOptions apply(ConfigOptions o) const {
    if (!device.empty()) o.overrides.push_back("runtime.device=" + device);
    if (threads >= 0) o.overrides.push_back("runtime.threads=" + std::to_string(threads));
    return o;
  }
  std::string run_dir_or(const std::string& fallback) const { return run_dir.empty() ? fallback : run_dir; }
};

inline void add_run_options(CLI::App* cmd, RunDirOptions& o) {
  cmd->add_option("-o,--run-dir", o.run_dir, "run directory: checkpoints, metrics.jsonl, config.yaml (default runs/<run_name>)");
  cmd->add_flag("--resume", o.resume, "continue from the run directory's latest checkpoint (fresh start when there is none)");
  cmd->add_option("--device", o.device, "auto | cpu | cuda (shortcut for --set runtime.device=...)");
  cmd->add_option("--threads", o.threads, "CPU threads (shortcut for --set runtime.threads=...)");
}

}  // namespace dsmath::app
