#pragma once
// dsmath eval: one subcommand per action, registered on the `eval` command (cmd_eval.cpp).
#include <CLI/CLI.hpp>

namespace dsmath::app {

void register_eval_grade(CLI::App& eval);
void register_eval_compare(CLI::App& eval);
void register_eval_run(CLI::App& eval);

}  // namespace dsmath::app
