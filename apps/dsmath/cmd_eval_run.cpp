// dsmath eval run: generate completions for a benchmark with a model, grade them, and write a
// results directory (samples.jsonl, summary.json) plus the summary table.
#include <iostream>
#include <memory>

#include "backend/create.hpp"
#include "cmd_eval.hpp"
#include "common_options.hpp"
#include "config/json_writer.hpp"
#include "core/files.hpp"
#include "eval/run_eval.hpp"
#include "infer/model_bundle.hpp"

namespace dsmath::app {

void register_eval_run(CLI::App& eval) {
  struct Options {
    ConfigOptions config;
    std::string model, tokenizer, output, device = "auto";
    int batch = 32, threads = 0;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = eval.add_subcommand("run", "evaluate a model on a benchmark (generate, grade, summarize)");
  add_config_options(cmd, o->config);
  cmd->add_option("-m,--model", o->model, "model directory, checkpoint or run directory")->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.json (default: the model directory's)");
  cmd->add_option("-o,--output", o->output, "results directory (samples.jsonl, summary.json)")->required();
  cmd->add_option("--batch", o->batch, "sequences decoded together (0: as many as fit in 80% of free memory)")->capture_default_str();
  cmd->add_option("--device", o->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0: all cores)");
  cmd->callback([o] {
    const auto cfg = config::load_config<eval::EvalConfig>(o->config.sources());
    if (fs::exists(fs::path(o->output) / "summary.json"))
      fail_hint("choose a new --output directory", "'{}' already holds evaluation results", o->output);
    auto backend = create_backend({o->device, o->threads, -1});
    ModelBundle m = load_model_bundle(o->model, *backend, o->tokenizer, /*require_tokenizer=*/true);
    Json resolved = config::to_json(cfg);
    resolved["model"] = m.dir.string();
    const auto summary = eval::run_eval(cfg, *m.model, *m.tokenizer, {o->batch, o->output, resolved});
    std::cout << summary.table();
  });
}

}  // namespace dsmath::app
