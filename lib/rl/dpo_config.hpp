#pragma once
// `dsmath dpo`: Direct Preference Optimization (Rafailov et al. 2023) as DeepSeekMath section
// 5.2.1 runs it: pairs of a right and a wrong output sampled from the SFT model for each
// question (graded by the rule reward), the DPO loss against the SFT model as reference.
// Defaults: beta 0.1 and the loss "sigmoid" (TRL's DPOConfig defaults; the paper does not state
// its beta in the text), constant LR.
#include <string>

#include "config/schema.hpp"
#include "dist/dist_config.hpp"
#include "infer/sampling.hpp"
#include "model/model_config.hpp"
#include "optim/optim_config.hpp"
#include "rl/grpo_config.hpp"
#include "train/train_config.hpp"

namespace dsmath::rl {

// Offline samples of the SFT model (Table 10's data source for RFT and DPO).
struct OfflineSamplingConfig {
  int samples_per_question = 8;  // k
  SamplingConfig sampling{.temperature = 1.0, .top_p = 1.0, .top_k = 0, .max_new_tokens = 512, .seed = 1234};
  int batch = 64;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("samples_per_question", samples_per_question, "k: outputs sampled per question from the initial model", Check().at_least(1));
    v("sampling", sampling, "how outputs are sampled");
    v("batch", batch, "sequences the generation engine decodes together", Check().at_least(1));
  }
};

struct DpoConfig {
  std::string stage = "dpo";
  std::string run_name = "dpo";
  ModelConfig model;
  InitConfig init;
  RlDataConfig data;
  OfflineSamplingConfig samples;
  int pairs_per_question = 1;
  double beta = 0.1;
  OptimConfig optim{.lr_peak = 1e-6, .schedule = LrSchedule::constant, .weight_decay = 0.0};
  TrainConfig train{.micro_batch_size = 4, .global_batch_size = 32, .max_steps = 100};
  CheckpointConfig checkpoint;
  RuntimeConfig runtime;
  DistConfig dist;
  std::string tokenizer;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("stage", stage, "which command this config is for", Check().one_of({"dpo"}));
    v("run_name", run_name, "name of the run (default run directory runs/<run_name>)", Check().nonempty());
    v("model", model, "model shape (ignored when init.from names a model)");
    v("init", init, "the initial policy and the reference model (an SFT model)");
    v("data", data, "questions and reference answers");
    v("samples", samples, "outputs sampled from the initial model to build the pairs");
    v("pairs_per_question", pairs_per_question, "(right, wrong) pairs kept per question at most", Check().at_least(1));
    v("beta", beta, "DPO temperature: weight of the log-ratio to the reference", Check().greater_than(0));
    v("optim", optim, "AdamW and LR schedule");
    v("train", train, "micro_batch_size and global_batch_size count pairs; max_steps: optimizer steps");
    v("checkpoint", checkpoint, "checkpoint cadence and retention");
    v("runtime", runtime, "device and threads");
    v("dist", dist, "data parallelism (ranks come from mpirun/srun)");
    v("tokenizer", tokenizer, "tokenizer.json (default: the one in init.from)");
  }
};

}  // namespace dsmath::rl
