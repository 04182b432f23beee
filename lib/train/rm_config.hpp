#pragma once
// `dsmath rm`: reward models for GRPO (DeepSeekMath section 4.1; Math-Shepherd style process
// supervision, Wang et al. 2023). The transformer with a scalar head, trained with binary
// cross-entropy: an outcome reward model (ORM) scores a whole solution at its last token; a
// process reward model (PRM) scores every reasoning step at the step's last token.
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "dist/dist_config.hpp"
#include "model/model_config.hpp"
#include "optim/optim_config.hpp"
#include "train/sft_config.hpp"
#include "train/train_config.hpp"

namespace dsmath {

enum class RewardKind { outcome, process };

struct RmDataConfig {
  // outcome: {"question", "solution", "label": 0|1}; process: {"question", "steps": [...], "labels": [0|1, ...]}
  std::vector<std::string> train;
  std::vector<std::string> eval;  // held out: AUC and accuracy reported at the end
  RewardKind kind = RewardKind::outcome;
  std::string step_separator = "\n";  // joins the steps of a process-labelled solution
  // field names (outcome records), e.g. question_field: prompt, solution_field: completion,
  // label_field: correct for the output of `dsmath generate` graded by `dsmath eval grade`
  std::string question_field = "question";
  std::string solution_field = "solution";
  std::string label_field = "label";
  int seq_len = 1024;
  TooLongPolicy too_long = TooLongPolicy::drop;
  bool skip_invalid = false;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("train", train, "labelled solutions (JSONL)", Check().required().nonempty());
    v("eval", eval, "held-out labelled solutions: AUC and accuracy at the end of training");
    v("kind", kind, "outcome: one label per solution; process: one label per step");
    v("step_separator", step_separator, "text between steps when a process-labelled solution is rendered");
    v("question_field", question_field, "key of the question", Check().nonempty());
    v("solution_field", solution_field, "key of the solution (outcome records)", Check().nonempty());
    v("label_field", label_field, "key of the 0/1 (or true/false) label (outcome records)", Check().nonempty());
    v("seq_len", seq_len, "tokens per training row", Check().at_least(2));
    v("too_long", too_long, "solutions longer than seq_len: drop them, or truncate (labels cut off are lost)");
    v("skip_invalid", skip_invalid, "skip malformed records (reported with file:line and counted) instead of stopping");
  }
};

struct RmConfig {
  std::string stage = "rm";
  std::string run_name = "rm";
  ModelConfig model;
  InitConfig init;  // usually the SFT model: its body is kept, the language-model head replaced
  RmDataConfig data;
  OptimConfig optim{.lr_peak = 1e-5, .schedule = LrSchedule::constant, .weight_decay = 0.0};
  TrainConfig train{.micro_batch_size = 8, .global_batch_size = 64, .max_steps = 500};
  CheckpointConfig checkpoint;
  RuntimeConfig runtime;
  DistConfig dist;
  std::string tokenizer;  // "" = init.from's tokenizer.json

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("stage", stage, "which command this config is for", Check().one_of({"rm"}));
    v("run_name", run_name, "name of the run (default run directory runs/<run_name>)", Check().nonempty());
    v("model", model, "model shape (ignored when init.from names a model)");
    v("init", init, "initial weights: an SFT model (its LM head is replaced by a score head) or a reward model");
    v("data", data, "labelled solutions");
    v("optim", optim, "AdamW and LR schedule");
    v("train", train, "batch geometry (rows), step budget, failure policy");
    v("checkpoint", checkpoint, "checkpoint cadence and retention");
    v("runtime", runtime, "device and threads");
    v("dist", dist, "data parallelism (ranks come from mpirun/srun)");
    v("tokenizer", tokenizer, "tokenizer.json (default: the one in init.from)");
  }
};

}  // namespace dsmath

template <>
struct dsmath::config::EnumNames<dsmath::RewardKind> {
  static constexpr std::array<std::pair<dsmath::RewardKind, std::string_view>, 2> values{
      {{dsmath::RewardKind::outcome, "outcome"}, {dsmath::RewardKind::process, "process"}}};
};
