#pragma once
// `dsmath grpo`: Group Relative Policy Optimization (DeepSeekMath section 4). Paper settings
// (DESIGN.md 2): G = 64 outputs per question, beta 0.04, LR 1e-6, max length 1024, one policy
// update per rollout (mu = 1), clip eps 0.2; batch 1024 (16 questions x 64 outputs) per step.
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "dist/dist_config.hpp"
#include "eval/answer_extraction.hpp"
#include "infer/sampling.hpp"
#include "model/model_config.hpp"
#include "optim/optim_config.hpp"
#include "rl/advantages.hpp"
#include "rl/grpo_loss.hpp"
#include "train/rm_config.hpp"
#include "train/train_config.hpp"

namespace dsmath::rl {

struct RlDataConfig {
  std::vector<std::string> train;  // JSONL {"question", "answer"} (answer: final answer or a "#### N" solution)
  std::string question_field = "question";
  std::string answer_field = "answer";
  eval::AnswerStyle answer_style = eval::AnswerStyle::gsm8k;
  // appended to the question inside the chat prompt (the DeepSeekMath-Instruct format)
  std::string prompt_suffix = "\nPlease reason step by step, and put your final answer within \\boxed{}.";

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("train", train, "JSONL questions with reference answers", Check().required().nonempty());
    v("question_field", question_field, "key of the question", Check().nonempty());
    v("answer_field", answer_field, "key of the reference answer (a final answer, or a solution ending in #### N / \\boxed{})",
      Check().nonempty());
    v("answer_style", answer_style, "how answers are extracted and compared (gsm8k: numbers; math: LaTeX)");
    v("prompt_suffix", prompt_suffix, "instruction appended to each question in the chat prompt");
  }
};

struct RolloutConfig {
  int questions_per_step = 16;  // over all ranks
  int group_size = 64;          // G outputs per question
  SamplingConfig sampling{.temperature = 1.0, .top_p = 1.0, .top_k = 0, .max_new_tokens = 1024, .seed = 1234};
  int batch = 64;               // sequences decoded together (per rank)

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("questions_per_step", questions_per_step, "questions sampled per GRPO step, over all ranks", Check().at_least(1));
    v("group_size", group_size, "G: outputs sampled per question", Check().at_least(1));
    v("sampling", sampling, "how outputs are sampled");
    v("batch", batch, "sequences the generation engine decodes together (per rank)", Check().at_least(1));
  }
};

struct RewardSource {
  std::string kind = "rule";  // rule | format | model
  double weight = 1.0;
  std::string model;          // kind model: a reward model directory (dsmath rm train)
  RewardKind model_kind = RewardKind::outcome;
  std::string step_separator;  // "": the one the reward model was trained with

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("kind", kind, "rule: 1 if the answer is right; format: 1 if an answer can be extracted; model: a reward model's score",
      Check().one_of({"rule", "format", "model"}));
    v("weight", weight, "weight in the total reward");
    v("model", model, "reward model directory (kind: model)");
    v("model_kind", model_kind, "outcome: one score per output; process: one per step (advantage: process)");
    v("step_separator", step_separator,
      "what separates steps in an output (process rewards; \"\": the separator stored with the reward model, else \"\\n\")");
  }
};

struct AlgorithmConfig {
  GrpoLossConfig loss;
  AdvantageKind advantage = AdvantageKind::outcome;
  bool bessel = true;
  double advantage_eps = 1e-4;
  bool scale_rewards = true;  // false with loss_aggregation dr_grpo: Dr. GRPO
  int policy_epochs = 1;  // mu: updates per rollout
  int minibatches = 1;    // optimizer steps per epoch (the rollout split evenly)

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("beta", loss.beta, "KL coefficient (0: no reference model)", Check().at_least(0));
    v("clip_low", loss.clip_low, "ratio clip below 1 (epsilon)", Check().in_range(0, 1));
    v("clip_high", loss.clip_high, "ratio clip above 1 (DAPO's clip-higher when > clip_low)", Check().at_least(0));
    v("loss_aggregation", loss.aggregation, "sequence_mean (paper), token_mean (DAPO) or dr_grpo");
    v("advantage", advantage,
      "outcome: one reward per output (GRPO+OS); process: per-step rewards from a process reward model (GRPO+PS); "
      "online_rft: coefficient 1 for a correct output, 0 otherwise (Online RFT, paper section 5.2.1)");
    v("bessel", bessel, "group std with Bessel's correction (as torch.std)");
    v("advantage_eps", advantage_eps, "added to the group std", Check().greater_than(0));
    v("scale_rewards", scale_rewards, "divide advantages by the group std (false, with loss_aggregation dr_grpo: Dr. GRPO)");
    v("policy_epochs", policy_epochs, "mu: passes over each rollout (paper: 1)", Check().at_least(1));
    v("minibatches", minibatches, "optimizer steps per pass over a rollout", Check().at_least(1));
  }
};

struct IterativeConfig {
  int every_steps = 0;           // 0: the reference model stays the initial policy
  double replay_fraction = 0.1;  // reward-model retraining: share of historical data
  int reward_model_steps = 0;    // optimizer steps of reward-model training per iteration (0: none)
  // the optimizer of that training, fresh each iteration, its schedule over reward_model_steps
  OptimConfig reward_model_optim{.lr_peak = 1e-5, .schedule = LrSchedule::constant, .weight_decay = 0.0};
  // a process reward model's new data: Math-Shepherd labels of this many of the iteration's
  // outputs (over all ranks), each step completed this many times by the current policy
  int process_label_solutions = 64;
  int process_label_completions = 4;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("every_steps", every_steps, "iterative RL: every K steps the reference becomes the current policy (0: never)",
      Check().at_least(0));
    v("replay_fraction", replay_fraction,
      "reward-model retraining: share of the mix replayed from the history (its original training data and earlier "
      "iterations' samples)",
      Check().in_range(0, 1));
    v("reward_model_steps", reward_model_steps,
      "reward-model optimizer steps per iteration on the new samples (rule verdicts, or Math-Shepherd step labels for a process "
      "reward model)",
      Check().at_least(0));
    v("reward_model_optim", reward_model_optim,
      "reward-model retraining: AdamW and LR schedule, fresh each iteration (the schedule spans its reward_model_steps)");
    v("process_label_solutions", process_label_solutions,
      "process reward model retraining: outputs per iteration (over all ranks) given Math-Shepherd step labels",
      Check().at_least(1));
    v("process_label_completions", process_label_completions,
      "process reward model retraining: completions sampled from each step to label it (Math-Shepherd's N)", Check().at_least(1));
  }
};

struct GrpoEvalConfig {
  std::string config;  // an eval config (configs/eval/...); "" = no periodic evaluation
  int every_steps = 0;
  int64_t limit = 0;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("config", config, "eval config file for periodic held-out evaluation (\"\": none)");
    v("every_steps", every_steps, "evaluate every N steps and at the end (0: only at the end, if config is set)",
      Check().at_least(0));
    v("limit", limit, "evaluate on the first N problems (0: all)", Check().at_least(0));
  }
};

struct GrpoConfig {
  std::string stage = "grpo";
  std::string run_name = "grpo";
  ModelConfig model;
  InitConfig init;
  std::string reference;  // reference model ("" = init.from)
  RlDataConfig data;
  RolloutConfig rollout;
  std::vector<RewardSource> rewards{RewardSource{}};
  AlgorithmConfig algorithm;
  IterativeConfig iterative;
  OptimConfig optim{.lr_peak = 1e-6, .schedule = LrSchedule::constant, .weight_decay = 0.0};
  TrainConfig train{.micro_batch_size = 8, .global_batch_size = 8, .max_steps = 100};
  CheckpointConfig checkpoint;
  RuntimeConfig runtime;
  DistConfig dist;
  GrpoEvalConfig eval;
  int log_samples_every = 10;  // write a few completions to samples.jsonl every N steps
  std::string tokenizer;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("stage", stage, "which command this config is for", Check().one_of({"grpo"}));
    v("run_name", run_name, "name of the run (default run directory runs/<run_name>)", Check().nonempty());
    v("model", model, "model shape (ignored when init.from names a model)");
    v("init", init, "the initial policy (an SFT model)");
    v("reference", reference, "reference model for the KL term (\"\": the initial policy)");
    v("data", data, "questions and reference answers");
    v("rollout", rollout, "sampling of G outputs per question");
    v("rewards", rewards, "reward functions, summed with their weights");
    v("algorithm", algorithm, "advantages, clipping, KL, aggregation, update passes");
    v("iterative", iterative, "iterative RL (reference refresh, reward-model retraining)");
    v("optim", optim, "AdamW and LR schedule (paper: constant 1e-6)");
    v("train", train, "micro_batch_size: sequences per forward/backward; max_steps: GRPO steps (rollouts)");
    v("checkpoint", checkpoint, "checkpoint cadence (in GRPO steps) and retention");
    v("runtime", runtime, "device and threads");
    v("dist", dist, "data parallelism (ranks come from mpirun/srun)");
    v("eval", eval, "periodic held-out evaluation");
    v("log_samples_every", log_samples_every, "write sample completions to samples.jsonl every N steps (0: never)",
      Check().at_least(0));
    v("tokenizer", tokenizer, "tokenizer.json (default: the one in init.from)");
  }
  void validate() const;
};

}  // namespace dsmath::rl

