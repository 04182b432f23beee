// dsmath config show|docs: the fully resolved config of a stage, and the key reference.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.hpp"

namespace dsmath::app {

void register_config_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("config", "print resolved configs and the config reference");
  cmd->require_subcommand(1);
}

}  // namespace dsmath::app
