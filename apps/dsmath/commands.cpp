#include "commands.hpp"

#include <CLI/CLI.hpp>

namespace dsmath::app {

void register_all_commands(CLI::App& app) {
  register_config_command(app);
}

}  // namespace dsmath::app
