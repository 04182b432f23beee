#pragma once
// Batched generation with a KV cache and continuous batching: up to max_batch sequences decode
// together; when one finishes (EOS, a stop string, the token budget or the context) its cache
// slot is refilled at once from the queue, so the batch stays full. This is the engine of
// `dsmath generate`, `dsmath eval` and GRPO rollouts.
//
// Sampling runs on the backend, where the logits are (Backend::sample_tokens): per step only the
// rows' inputs and draw keys go up and their tokens and log-probs come back, asynchronously from
// pinned memory. On a backend that captures (CUDA), a decode step is padded to a power-of-two
// row count and replayed from a CUDA graph captured once per count, so that a step costs one
// launch instead of one per op (padding rows are nearly free: decode reads the weights once
// whatever the row count). Determinism: token n of request
// i draws from the key (seed, i, n), so its output does not depend on which other requests share
// its batch, nor on the backend's thread count.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "infer/sampling.hpp"
#include "model/transformer.hpp"

namespace dsmath {

struct GenerationRequest {
  std::vector<int32_t> prompt;  // token ids, BOS included when the model expects it
};

enum class FinishReason { eos, stop, length };
const char* finish_reason_name(FinishReason r);

struct Generation {
  std::vector<int32_t> tokens;   // generated ids (the EOS that ended it included)
  std::vector<float> logprobs;   // log softmax(logits / T) of each generated token (T = 1 when greedy)
  FinishReason finish = FinishReason::length;
};

// Called after each new token of request `index`; returns how many generated tokens to keep if
// a stop sequence has been produced (the request then ends with finish = stop), or -1.
using StopCheck = std::function<int(size_t index, std::span<const int32_t> generated)>;

class GenerationEngine {
 public:
  // max_len: longest prompt + completion (0: the model's max_seq_len). max_batch 0: as many
  // cache slots as fit in `memory_fraction` of the device memory still free (at most 1024).
  GenerationEngine(Transformer& model, int max_batch, int max_len = 0, double memory_fraction = 0.8);

  std::vector<Generation> generate(std::span<const GenerationRequest> requests, const SamplingConfig& sampling,
                                   std::span<const int32_t> eos_ids, const StopCheck& stop = {},
                                   const std::function<void(size_t finished, size_t generated_tokens)>& progress = {});

  // Decode steps from captured graphs (on by default where the backend captures); off, every
  // step launches its ops one by one (the same shapes, so the same results).
  void set_capture(bool enabled) { capture_enabled_ = enabled; }
  struct Stats {
    int64_t decode_steps = 0, replayed_steps = 0, captures = 0;
  };
  const Stats& stats() const { return stats_; }

  int max_batch() const { return max_batch_; }
  int max_len() const { return max_len_; }

 private:
  // One step on the backend: uploads the draw keys, runs the staged batch through the model,
  // samples each row and downloads tokens and log-probs into sampled_host_ (all queued).
  void enqueue_step(int rows, const SamplingSpec& spec);
  // Runs the decode step of the staged `rows` (a padded shape) from a captured graph where the
  // backend captures: each shape runs once uncaptured (its scratch then exists), is captured at
  // its second use and replayed from then on, until memory it holds is reallocated.
  void run_decode_step(int rows, const SamplingSpec& spec);

  Transformer& model_;
  int max_batch_;
  int max_len_;
  KvCache cache_;
  // the sampling step's memory, allocated once: max_batch draw keys; a step's n tokens followed
  // by their n log-probs (one download); and their pinned host twins
  Buffer draw_keys_, sampled_, draw_keys_host_, sampled_host_;
  // captured decode steps by padded row count, valid for one address epoch and sampling rule
  struct DecodeGraphs {
    std::vector<std::unique_ptr<CapturedWork>> by_rows;  // [max_batch + 1]
    std::vector<int> uncaptured_runs;                    // [max_batch + 1]
    uint64_t epoch = 0;
    SamplingSpec spec;
    void drop(uint64_t new_epoch) {
      for (auto& g : by_rows) g.reset();
      epoch = new_epoch;
    }
  } graphs_;
  bool capture_enabled_ = true;
  Stats stats_;
};

}  // namespace dsmath
