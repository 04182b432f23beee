#pragma once
// Settings shared by every training stage (pretrain, SFT, RM, GRPO): where the weights start,
// batch geometry, the step budget, failure policy, checkpoints and the device.
#include <cstdint>
#include <string>

#include "config/schema.hpp"

namespace dsmath {

enum class NanPolicy { stop, skip };

struct InitConfig {
  // "" = random init from model.*; otherwise a Hugging Face model directory or a dsmath
  // checkpoint (step-NNNNNNN), whose config.json then defines the model shape.
  std::string from;
  uint64_t seed = 1234;

  template <class V>
  void visit(V& v) {
    v("from", from, "start from this HF model directory / dsmath checkpoint (\"\": random init)");
    v("seed", seed, "random init seed");
  }
};

struct TrainConfig {
  int micro_batch_size = 8;    // sequences per rank per forward/backward
  int global_batch_size = 8;   // sequences per optimizer step, all ranks together
  int64_t max_steps = 100;
  uint64_t seed = 1234;        // data order
  int log_every = 1;           // metrics.jsonl gets every step; the console every N steps
  NanPolicy nan_policy = NanPolicy::stop;
  int max_consecutive_skips = 10;
  bool recompute_activations = false;
  int head_chunk_rows = 4096;
  double peak_tflops = 0;      // MFU denominator; 0 = the backend's own figure

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("micro_batch_size", micro_batch_size, "sequences per rank per forward/backward pass", Check().at_least(1));
    v("global_batch_size", global_batch_size,
      "sequences per optimizer step over all ranks (= micro_batch_size x ranks x accumulation steps; "
      "grpo: unused, a step is questions_per_step x group_size)",
      Check().at_least(1));
    v("max_steps", max_steps, "optimizer steps of the run", Check().at_least(1));
    v("seed", seed, "data-order seed");
    v("log_every", log_every, "console line every N steps (metrics.jsonl gets every step)", Check().at_least(1));
    v("nan_policy", nan_policy, "non-finite loss or gradient: stop the run, or skip the step");
    v("max_consecutive_skips", max_consecutive_skips, "with nan_policy skip: stop after this many skipped steps in a row",
      Check().at_least(1));
    v("recompute_activations", recompute_activations, "keep only layer inputs; recompute the rest in backward (less memory)");
    v("head_chunk_rows", head_chunk_rows, "tokens whose output-head logits exist at once", Check().at_least(1));
    v("peak_tflops", peak_tflops, "MFU denominator in TFLOP/s (0: the device's datasheet/estimated peak)", Check().at_least(0));
  }
  void validate() const;
};

struct CheckpointConfig {
  int64_t every_steps = 100;  // 0: only at the end
  int keep_last = 3;          // 0: keep all
  std::string dtype = "f32";  // model.safetensors precision

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("every_steps", every_steps, "write a checkpoint every N steps (0: only the final one)", Check().at_least(0));
    v("keep_last", keep_last, "keep the newest N checkpoints (0: all)", Check().at_least(0));
    v("dtype", dtype, "precision of model.safetensors (resume state stays exact)", Check().one_of({"f32", "bf16", "f16"}));
  }
};

struct RuntimeConfig {
  std::string device = "auto";
  int threads = 0;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("device", device, "auto (GPU when present), cpu or cuda", Check().one_of({"auto", "cpu", "cuda"}));
    v("threads", threads, "CPU threads (0: all cores)", Check().at_least(0));
  }
};

}  // namespace dsmath

template <>
struct dsmath::config::EnumNames<dsmath::NanPolicy> {
  static constexpr std::array<std::pair<dsmath::NanPolicy, std::string_view>, 2> values{
      {{dsmath::NanPolicy::stop, "stop"}, {dsmath::NanPolicy::skip, "skip"}}};
};
