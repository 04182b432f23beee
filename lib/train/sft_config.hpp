#pragma once
// `dsmath sft`: supervised fine-tuning on conversations (DeepSeekMath section 3.1): chain-of-
// thought, program-of-thought and tool-integrated solutions; examples concatenated into 4K
// sequences; 500 steps, batch 256, constant LR 5e-5; loss on responses only.
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "dist/dist_config.hpp"
#include "model/model_config.hpp"
#include "optim/optim_config.hpp"
#include "train/train_config.hpp"

namespace dsmath {

enum class SftPacking {
  document_masked,  // several examples per sequence, attention and positions kept inside each
  concatenated      // the paper's "randomly concatenated": examples attend across boundaries
};
enum class TooLongPolicy { truncate, drop };

struct SftDataConfig {
  std::vector<std::string> train;  // JSONL: {"messages": [...]} or {"prompt": ..., "response": ...}
  int seq_len = 4096;
  SftPacking packing = SftPacking::document_masked;
  TooLongPolicy too_long = TooLongPolicy::truncate;
  bool skip_invalid = false;  // skip (and count) malformed examples instead of stopping

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("train", train, "JSONL files of conversations ({\"messages\": [...]}) or {\"prompt\", \"response\"} pairs",
      Check().required().nonempty());
    v("seq_len", seq_len, "tokens per packed training sequence", Check().at_least(2));
    v("packing", packing, "document_masked: attention stays inside each example; concatenated: it crosses them");
    v("too_long", too_long, "examples longer than seq_len: truncate them or drop them (counted either way)");
    v("skip_invalid", skip_invalid, "skip malformed examples (reported with file:line and counted) instead of stopping");
  }
};

struct SftConfig {
  std::string stage = "sft";
  std::string run_name = "sft";
  ModelConfig model;
  InitConfig init;
  SftDataConfig data;
  OptimConfig optim{.lr_peak = 5e-5, .schedule = LrSchedule::constant, .weight_decay = 0.0};
  TrainConfig train{.micro_batch_size = 4, .global_batch_size = 256, .max_steps = 500};
  CheckpointConfig checkpoint;
  RuntimeConfig runtime;
  DistConfig dist;
  std::string tokenizer;  // "" = init.from's tokenizer.json

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("stage", stage, "which command this config is for", Check().one_of({"sft"}));
    v("run_name", run_name, "name of the run (default run directory runs/<run_name>)", Check().nonempty());
    v("model", model, "model shape (ignored when init.from names a model)");
    v("init", init, "initial weights: the base model (HF directory or dsmath checkpoint)");
    v("data", data, "conversations and packing");
    v("optim", optim, "AdamW and LR schedule (paper: constant 5e-5)");
    v("train", train, "batch geometry (sequences), step budget, failure policy");
    v("checkpoint", checkpoint, "checkpoint cadence and retention");
    v("runtime", runtime, "device and threads");
    v("dist", dist, "data parallelism (ranks come from mpirun/srun)");
    v("tokenizer", tokenizer, "tokenizer.json (default: the one in init.from)");
  }
};

}  // namespace dsmath

template <>
struct dsmath::config::EnumNames<dsmath::SftPacking> {
  static constexpr std::array<std::pair<dsmath::SftPacking, std::string_view>, 2> values{
      {{dsmath::SftPacking::document_masked, "document_masked"}, {dsmath::SftPacking::concatenated, "concatenated"}}};
};
template <>
struct dsmath::config::EnumNames<dsmath::TooLongPolicy> {
  static constexpr std::array<std::pair<dsmath::TooLongPolicy, std::string_view>, 2> values{
      {{dsmath::TooLongPolicy::truncate, "truncate"}, {dsmath::TooLongPolicy::drop, "drop"}}};
};
