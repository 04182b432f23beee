#pragma once
// The token-level training driver shared by `dsmath pretrain` and `dsmath sft` (and reward
// models): batches from a BatchSource, an objective over per-position outputs, the Trainer's
// update, metrics.jsonl, crash-safe checkpoints and exact resume.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "config/yaml_writer.hpp"
#include "data/batch_source.hpp"
#include "dist/dist_config.hpp"
#include "model/model_config.hpp"
#include "optim/optim_config.hpp"
#include "train/train_config.hpp"
#include "train/trainer.hpp"

namespace dsmath {

struct RunOptions {
  std::filesystem::path run_dir;
  bool resume = false;  // continue from the run directory's latest checkpoint (fresh start if none)
};

struct LmTrainingSpec {
  std::string stage;        // recorded in trainer_state.json
  std::string config_yaml;  // the resolved config, saved in the run directory and checkpoints
  ModelConfig model;        // the configured shape (init.from replaces it)
  InitConfig init;
  OptimConfig optim;
  TrainConfig train;
  CheckpointConfig checkpoint;
  RuntimeConfig runtime;
  DistConfig dist;
  std::string tokenizer;  // tokenizer.json copied into checkpoints ("" = none)
  ModelHead head = ModelHead::lm;  // scalar: a reward model
  // The objective for a step whose batch has `global_targets` targets over all ranks
  // (default: mean cross-entropy).
  std::function<Objective(double global_targets)> objective = {};
  // Called with the final model after the last step (e.g. a reward model's held-out AUC); its
  // JSON lands in the summary.
  std::function<Json(Transformer& model)> after_training = {};
};

// The spec of a stage whose config has the common sections (model, init, optim, train,
// checkpoint, runtime, dist).
template <class StageConfig>
LmTrainingSpec lm_training_spec(std::string stage, const StageConfig& cfg, std::string tokenizer,
                                ModelHead head = ModelHead::lm) {
  return LmTrainingSpec{.stage = std::move(stage),
                        .config_yaml = config::to_yaml_text(cfg),
                        .model = cfg.model,
                        .init = cfg.init,
                        .optim = cfg.optim,
                        .train = cfg.train,
                        .checkpoint = cfg.checkpoint,
                        .runtime = cfg.runtime,
                        .dist = cfg.dist,
                        .tokenizer = std::move(tokenizer),
                        .head = head};
}

struct TrainingSummary {
  int64_t start_step = 0;  // the step the run resumed at (0: a fresh start)
  int64_t steps = 0;       // the step it ended at
  bool stopped_early = false;  // a stop signal ended it (checkpoint written)
  double first_loss = 0, last_loss = 0;
  double tokens_per_s = 0;
  std::filesystem::path checkpoint;
  Json after_training;  // what spec.after_training returned (null if none)
};

// `make_source` builds the batch source once the model shape is known.
using BatchSourceFactory = std::function<std::unique_ptr<BatchSource>(const ModelConfig& model)>;

TrainingSummary run_lm_training(const LmTrainingSpec& spec, const RunOptions& run, const BatchSourceFactory& make_source);

}  // namespace dsmath
