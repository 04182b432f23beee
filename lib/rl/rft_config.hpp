#pragma once
// `dsmath rft`: Rejection-sampling Fine-Tuning (Yuan et al. 2023) as DeepSeekMath section 5.2.1
// runs it: k outputs per question sampled from the SFT model, the correct ones kept (distinct
// ones only), and the SFT model fine-tuned on them (Table 10: gradient coefficient 1 for a
// correct output, 0 otherwise, on offline samples).
#include <string>

#include "rl/dpo_config.hpp"
#include "train/lm_training.hpp"
#include "train/sft_config.hpp"

namespace dsmath::rl {

struct RftConfig {
  std::string stage = "rft";
  std::string run_name = "rft";
  ModelConfig model;
  InitConfig init;
  RlDataConfig data;
  OfflineSamplingConfig samples;
  int seq_len = 1024;
  OptimConfig optim{.lr_peak = 5e-5, .schedule = LrSchedule::constant, .weight_decay = 0.0};
  TrainConfig train{.micro_batch_size = 4, .global_batch_size = 64, .max_steps = 100};
  CheckpointConfig checkpoint;
  RuntimeConfig runtime;
  DistConfig dist;
  std::string tokenizer;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("stage", stage, "which command this config is for", Check().one_of({"rft"}));
    v("run_name", run_name, "name of the run (default run directory runs/<run_name>)", Check().nonempty());
    v("model", model, "model shape (ignored when init.from names a model)");
    v("init", init, "the model that samples and is fine-tuned (an SFT model)");
    v("data", data, "questions and reference answers");
    v("samples", samples, "outputs sampled per question; the correct distinct ones become SFT data");
    v("seq_len", seq_len, "tokens per packed fine-tuning sequence", Check().at_least(2));
    v("optim", optim, "AdamW and LR schedule of the fine-tuning");
    v("train", train, "batch geometry (sequences) and steps of the fine-tuning");
    v("checkpoint", checkpoint, "checkpoint cadence and retention");
    v("runtime", runtime, "device and threads");
    v("dist", dist, "data parallelism (ranks come from mpirun/srun)");
    v("tokenizer", tokenizer, "tokenizer.json (default: the one in init.from)");
  }
};

struct RftSummary {
  size_t sampled = 0, kept = 0;
  TrainingSummary sft;
};

// Samples (once: rft.jsonl in the run directory is reused on --resume), then fine-tunes.
RftSummary run_rft(const RftConfig& config, const RunOptions& run);

}  // namespace dsmath::rl
