#pragma once
// `dsmath eval run`: prompts from the benchmark, completions from the generation engine,
// grading, metrics, and the results directory. Also called by other stages to measure a model
// on a held-out set (the quickstart, GRPO's periodic evaluation).
#include <filesystem>

#include "eval/eval_config.hpp"
#include "eval/eval_results.hpp"
#include "model/transformer.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath::eval {

struct EvalRunOptions {
  int batch = 32;                      // sequences decoded together
  std::filesystem::path results_dir;   // "" = do not write results
  Json resolved_config = nullptr;      // stored in summary.json
};

EvalSummary run_eval(const EvalConfig& config, Transformer& model, const Tokenizer& tokenizer, const EvalRunOptions& options);

}  // namespace dsmath::eval
