// dsmath rm train|score: reward models (outcome and process) for GRPO.
#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <memory>

#include "backend/create.hpp"
#include "commands.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "data/jsonl.hpp"
#include "infer/model_bundle.hpp"
#include "io/hf_model.hpp"
#include "train/reward_data.hpp"
#include "run_summary.hpp"
#include "train/reward_model.hpp"

namespace dsmath::app {

namespace {
void register_rm_train(CLI::App& rm) {
  add_training_command<RmConfig>(
      rm, "train", "train an outcome or process reward model on labelled solutions",
      [](const RmConfig& cfg, const RunOptions& run) {
        const TrainingSummary s = run_rm_training(cfg, run);
        std::string eval;
        if (!s.after_training.is_null())
          eval = fmt::format(", held-out AUC {:.4f}, accuracy {:.4f}", s.after_training.value("auc", 0.0),
                             s.after_training.value("accuracy", 0.0));
        print_training_summary("rm train", s, eval);
      });
}

void register_rm_score(CLI::App& rm) {
  struct Options {
    std::string model, tokenizer, input, output, separator, device = "auto";
    RewardKind kind = RewardKind::outcome;
    int batch = 16, threads = 0;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = rm.add_subcommand("score", "score solutions with a reward model (adds score / step_scores to each line)");
  cmd->add_option("-m,--model", o->model, "reward model directory, checkpoint or run directory")->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.json (default: the model directory's)");
  cmd->add_option("-i,--input", o->input, "JSONL: {question, solution} (outcome) or {question, steps} (process)")->required();
  cmd->add_option("-o,--output", o->output, "JSONL output")->required();
  auto* kind = cmd->add_option("--kind", o->kind, "outcome or process (default: what the model was trained as, else outcome)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, RewardKind>{{"outcome", RewardKind::outcome}, {"process", RewardKind::process}}));
  cmd->add_option("--step-separator", o->separator, "text between steps (process; default: the model's own, else \"\\n\")");
  cmd->add_option("--batch", o->batch, "solutions per forward pass")->capture_default_str();
  cmd->add_option("--device", o->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0: all cores)");
  cmd->callback([o, kind] {
    auto backend = create_backend({o->device, o->threads, -1});
    ModelBundle m = load_model_bundle(o->model, *backend, o->tokenizer, /*require_tokenizer=*/true);
    const RewardModelFormat format =
        reward_model_format(resolve_model_dir(o->model), kind->count() > 0 ? std::optional(o->kind) : std::nullopt, o->separator,
                            "--kind / --step-separator");
    o->kind = format.kind;
    RewardScorer scorer(*m.model, *m.tokenizer, format.kind, format.step_separator, o->batch);
    std::vector<Json> records;
    std::vector<std::string> questions;
    std::vector<std::vector<std::string>> steps;
    LineReader reader(o->input);
    std::string line;
    while (reader.next(line)) {
      if (trim(line).empty()) continue;
      Json j = parse_json_object(line, reader.where());
      auto q = string_field(j, "question");
      if (!q) fail("{}: missing string \"question\"", reader.where());
      std::vector<std::string> s;
      if (o->kind == RewardKind::outcome) {
        auto sol = string_field(j, "solution");
        if (!sol) fail("{}: missing string \"solution\"", reader.where());
        s = {*sol};
      } else {
        if (!j.contains("steps") || !j["steps"].is_array()) fail("{}: missing list \"steps\"", reader.where());
        for (const auto& x : j["steps"]) {
          if (!x.is_string()) fail("{}: \"steps\" must hold strings", reader.where());
          s.push_back(x.get<std::string>());
        }
      }
      records.push_back(std::move(j));
      questions.push_back(*q);
      steps.push_back(std::move(s));
    }
    const auto scores = scorer.score(questions, steps);
    JsonlWriter writer(o->output);
    double sum = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      Json& j = records[i];
      if (o->kind == RewardKind::outcome) {
        j["score"] = scores[i][0];
      } else {
        j["step_scores"] = scores[i];
        // a solution is as good as its weakest step (Lightman et al. 2023's aggregation)
        j["score"] = *std::min_element(scores[i].begin(), scores[i].end());
      }
      sum += j["score"].get<double>();
      writer.write(j);
    }
    writer.commit();
    std::cout << fmt::format("rm score: {} solutions, mean score {:.4f} -> {}\n", records.size(),
                             records.empty() ? 0.0 : sum / static_cast<double>(records.size()), o->output);
  });
}
}  // namespace

void register_rm_command(CLI::App& app) {
  auto* rm = app.add_subcommand("rm", "reward models: train on labelled solutions, score solutions");
  rm->require_subcommand(1);
  register_rm_train(*rm);
  register_rm_score(*rm);
}

}  // namespace dsmath::app
