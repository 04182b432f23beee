// dsmath eval compare A B: metrics of two results directories side by side.
#include <iostream>
#include <memory>

#include "cmd_eval.hpp"
#include "eval/eval_results.hpp"

namespace dsmath::app {

void register_eval_compare(CLI::App& eval) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto* cmd = eval.add_subcommand("compare", "compare the summary.json (and samples.jsonl) of two results directories");
  cmd->add_option("dirs", *dirs, "results directories A and B")->required()->expected(2);
  cmd->callback([dirs] { std::cout << eval::compare_results((*dirs)[0], (*dirs)[1]); });
}

}  // namespace dsmath::app
