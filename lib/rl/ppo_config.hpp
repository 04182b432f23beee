#pragma once
// `dsmath ppo`: Proximal Policy Optimization as DeepSeekMath section 4.1 describes it (equations
// 1-2, the baseline GRPO replaces): a learned value model, GAE advantages, the KL penalty in the
// reward. The paper gives no PPO hyperparameters; the defaults are TRL's PPOConfig (trl 0.x,
// trl/trainer/ppo_config.py; the trl 1.16 of the reference venv no longer ships PPO):
// kl_coef 0.05 with the k1 estimator, cliprange 0.2, cliprange_value 0.2, vf_coef 0.1, gamma 1,
// lam 0.95, 4 PPO epochs, advantages whitened. The value model starts, as in InstructGPT
// (Ouyang et al. 2022, appendix C.3) and TRL's example script, from the reward model when one is
// used, else from the policy's body with a fresh score head.
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "dist/dist_config.hpp"
#include "model/model_config.hpp"
#include "optim/optim_config.hpp"
#include "rl/grpo_config.hpp"
#include "train/train_config.hpp"

namespace dsmath::rl {

struct PpoAlgorithmConfig {
  double kl_coef = 0.05;  // beta of equation 2
  double clip = 0.2;      // epsilon of equation 1
  double clip_value = 0.2;
  double vf_coef = 0.1;
  double gamma = 1.0;
  double lambda = 0.95;
  bool whiten_advantages = true;
  LossAggregation aggregation = LossAggregation::sequence_mean;
  int policy_epochs = 4;
  int minibatches = 1;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("kl_coef", kl_coef, "beta: weight of the per-token KL penalty in the reward (0: no reference model)", Check().at_least(0));
    v("clip", clip, "epsilon: the ratio's clip range", Check().in_range(0, 1));
    v("clip_value", clip_value, "the value prediction's clip range around V_old", Check().greater_than(0));
    v("vf_coef", vf_coef, "weight of the value loss", Check().greater_than(0));
    v("gamma", gamma, "GAE discount", Check().in_range(0, 1));
    v("lambda", lambda, "GAE lambda (0: one-step TD, 1: Monte-Carlo returns)", Check().in_range(0, 1));
    v("whiten_advantages", whiten_advantages, "normalize the step's advantages to mean 0, variance 1");
    v("loss_aggregation", aggregation, "sequence_mean (equation 1's 1/|o|), token_mean (TRL) or dr_grpo; value loss alike");
    v("policy_epochs", policy_epochs, "passes over each rollout (TRL's num_ppo_epochs)", Check().at_least(1));
    v("minibatches", minibatches, "optimizer steps per pass, policy and value model alike", Check().at_least(1));
  }
};

struct ValueModelConfig {
  std::string from;   // "" = the reward model if rewards has one, else init.from (body kept, fresh score head)
  double lr_peak = 0; // 0 = optim.lr_peak

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("from", from, "initial value model: a reward model or language model directory (\"\": the reward model, else init.from)");
    v("lr_peak", lr_peak, "value model learning rate (0: optim.lr_peak); same schedule and AdamW settings",
      Check().at_least(0));
  }
};

struct PpoConfig {
  std::string stage = "ppo";
  std::string run_name = "ppo";
  ModelConfig model;
  InitConfig init;
  std::string reference;  // reference model ("" = init.from)
  ValueModelConfig value;
  RlDataConfig data;
  RolloutConfig rollout{.questions_per_step = 64, .group_size = 1};
  std::vector<RewardSource> rewards{RewardSource{}};
  PpoAlgorithmConfig algorithm;
  OptimConfig optim{.lr_peak = 1e-6, .schedule = LrSchedule::constant, .weight_decay = 0.0};
  TrainConfig train{.micro_batch_size = 8, .global_batch_size = 8, .max_steps = 100};
  CheckpointConfig checkpoint;
  RuntimeConfig runtime;
  DistConfig dist;
  std::string tokenizer;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("stage", stage, "which command this config is for", Check().one_of({"ppo"}));
    v("run_name", run_name, "name of the run (default run directory runs/<run_name>)", Check().nonempty());
    v("model", model, "model shape (ignored when init.from names a model)");
    v("init", init, "the initial policy (an SFT model)");
    v("reference", reference, "reference model for the KL penalty (\"\": the initial policy)");
    v("value", value, "the value model (a transformer with a scalar head)");
    v("data", data, "questions and reference answers");
    v("rollout", rollout, "sampling of outputs per question (PPO needs no group: group_size 1 by default)");
    v("rewards", rewards, "reward functions, summed with their weights (outcome rewards only)");
    v("algorithm", algorithm, "KL penalty, GAE, clipping, value loss, update passes");
    v("optim", optim, "AdamW and LR schedule of the policy (the value model's too, unless value.lr_peak)");
    v("train", train, "micro_batch_size: sequences per forward/backward; max_steps: PPO steps (rollouts)");
    v("checkpoint", checkpoint, "checkpoint cadence (in PPO steps) and retention");
    v("runtime", runtime, "device and threads");
    v("dist", dist, "data parallelism (ranks come from mpirun/srun; the value model's optimizer state is not sharded)");
    v("tokenizer", tokenizer, "tokenizer.json (default: the one in init.from)");
  }
  void validate() const;
};

}  // namespace dsmath::rl
