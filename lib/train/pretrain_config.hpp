#pragma once
// `dsmath pretrain`: (continued) pretraining on a token mixture (DeepSeekMath section 2.2).
#include <string>

#include "config/schema.hpp"
#include "data/mixture.hpp"
#include "dist/dist_config.hpp"
#include "model/model_config.hpp"
#include "optim/optim_config.hpp"
#include "train/train_config.hpp"

namespace dsmath {

struct PretrainConfig {
  std::string stage = "pretrain";
  std::string run_name = "pretrain";
  ModelConfig model;
  InitConfig init;
  TokenDataConfig data;
  OptimConfig optim;
  TrainConfig train;
  CheckpointConfig checkpoint;
  RuntimeConfig runtime;
  DistConfig dist;
  std::string tokenizer;  // tokenizer.json copied into every checkpoint ("" = none)

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("stage", stage, "which command this config is for", Check().one_of({"pretrain"}));
    v("run_name", run_name, "name of the run (default run directory runs/<run_name>)", Check().nonempty());
    v("model", model, "model shape (ignored when init.from names a model)");
    v("init", init, "initial weights");
    v("data", data, "token mixture");
    v("optim", optim, "AdamW and LR schedule");
    v("train", train, "batch geometry, step budget, failure policy");
    v("checkpoint", checkpoint, "checkpoint cadence and retention");
    v("runtime", runtime, "device and threads");
    v("dist", dist, "data parallelism (ranks come from mpirun/srun)");
    v("tokenizer", tokenizer, "tokenizer.json to copy into checkpoints (makes them complete HF model directories)");
  }
};

}  // namespace dsmath
