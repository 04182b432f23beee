// dsmath eval run: generate completions for one or several benchmarks with a model (loaded
// once), grade them, and write a results directory per benchmark (samples.jsonl, summary.json)
// plus, for several, a combined summary.json and table. --resume continues a stopped run.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "backend/create.hpp"
#include "cmd_eval.hpp"
#include "config/json_writer.hpp"
#include "config/load.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "eval/run_eval.hpp"
#include "eval/suite.hpp"
#include "infer/model_bundle.hpp"

#ifndef DSMATH_GIT_COMMIT
#define DSMATH_GIT_COMMIT "unknown"
#endif

namespace dsmath::app {

void register_eval_run(CLI::App& eval) {
  struct Options {
    std::vector<std::string> configs, overrides;
    std::string suite, model, tokenizer, output, device = "auto";
    int batch = 32, threads = 0;
    bool resume = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = eval.add_subcommand("run", "evaluate a model on one or several benchmarks (generate, grade, summarize)");
  cmd->add_option("-c,--config", o->configs,
                  "eval config YAML (configs/eval); repeat for several benchmarks in one run (the model is loaded once)");
  cmd->add_option("--suite", o->suite, "YAML listing eval configs: 'benchmarks: [gsm8k-8shot.yaml, ...]' (paths relative to it)");
  cmd->add_option("-s,--set", o->overrides, "override a config key in every benchmark: --set limit=50 (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-m,--model", o->model, "model directory, checkpoint or run directory")->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.json (default: the model directory's)");
  cmd->add_option("-o,--output", o->output,
                  "results directory (samples.jsonl, summary.json); with several benchmarks one subdirectory each")
      ->required();
  cmd->add_flag("--resume", o->resume, "continue the run in --output: finished benchmarks and problems are kept");
  cmd->add_option("--batch", o->batch, "sequences decoded together (0: as many as fit in 80% of free memory)")->capture_default_str();
  cmd->add_option("--device", o->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0: all cores)");
  cmd->callback([o] {
    const std::vector<eval::SuiteEntry> entries = eval::suite_entries(o->configs, o->suite);
    std::vector<eval::EvalConfig> configs;
    for (const auto& e : entries) {
      config::ConfigSources sources;
      if (!e.config_file.empty()) sources.file = e.config_file;
      sources.overrides = o->overrides;
      configs.push_back(config::load_config<eval::EvalConfig>(sources));
    }
    const bool several = entries.size() > 1;
    auto dir_of = [&](size_t i) { return several ? fs::path(o->output) / entries[i].name : fs::path(o->output); };
    if (!o->resume)
      for (size_t i = 0; i < entries.size(); ++i)
        if (fs::exists(dir_of(i) / "summary.json") || fs::exists(dir_of(i) / "samples.jsonl"))
          fail_hint("choose a new --output directory, or add --resume to continue that run",
                    "'{}' already holds evaluation results", dir_of(i).string());

    auto backend = create_backend({o->device, o->threads, -1});
    ModelBundle m = load_model_bundle(o->model, *backend, o->tokenizer, /*require_tokenizer=*/true);
    // prompt.kind tokenizer_chat without a tokenizer_config: the one beside the tokenizer
    const fs::path tokenizer_dir = o->tokenizer.empty() ? m.dir : fs::path(o->tokenizer).parent_path();
    for (auto& c : configs)
      if (c.prompt.kind == eval::PromptKind::tokenizer_chat && c.prompt.tokenizer_config.empty())
        c.prompt.tokenizer_config = (tokenizer_dir / "tokenizer_config.json").string();
    const Json provenance = {{"dsmath_version", DSMATH_VERSION}, {"commit", DSMATH_GIT_COMMIT}, {"model", m.dir.string()}};
    std::vector<eval::SuiteResult> results;
    const std::string started = utc_timestamp();
    Stopwatch clock;
    for (size_t i = 0; i < entries.size(); ++i) {
      Json resolved = config::to_json(configs[i]);
      resolved["model"] = m.dir.string();
      eval::EvalRunOptions options{o->batch, dir_of(i), resolved, o->resume, provenance};
      if (o->resume) {
        if (auto done = eval::finished_summary(dir_of(i))) {
          const auto before = eval::EvalSummary::from_json(*done, (dir_of(i) / "summary.json").string());
          log::info("eval {}: already finished in {}", entries[i].name, dir_of(i).string());
          results.push_back({entries[i].name, dir_of(i), before, done->value("timing", Json::object())});
          continue;
        }
      }
      Stopwatch one;
      const auto summary = eval::run_eval(configs[i], *m.model, *m.tokenizer, options);
      std::cout << summary.table();
      results.push_back({entries[i].name, dir_of(i), summary, Json{{"seconds", one.seconds()}}});
    }
    if (several) {
      const Json combined = eval::suite_summary_json(results, provenance, started, clock.seconds());
      write_file_atomic(fs::path(o->output) / "summary.json", combined.dump(2) + "\n");
      std::cout << eval::suite_table(results);
    }
  });
}

}  // namespace dsmath::app
