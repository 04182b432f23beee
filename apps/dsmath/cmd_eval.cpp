// dsmath eval: benchmark evaluation (DeepSeekMath section 5; docs/eval.md). `grade` grades
// existing completions, `compare` sets two results directories side by side, `run` generates
// with a model and then grades.
#include "cmd_eval.hpp"

#include "commands.hpp"

namespace dsmath::app {

void register_eval_command(CLI::App& app) {
  auto* eval = app.add_subcommand("eval", "benchmark evaluation: run a model, grade completions, compare results");
  eval->require_subcommand(1);
  register_eval_run(*eval);
  register_eval_grade(*eval);
  register_eval_compare(*eval);
}

}  // namespace dsmath::app
