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

}  // namespace dsmath::app
