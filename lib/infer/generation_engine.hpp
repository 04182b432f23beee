#pragma once
// Batched generation with a KV cache and continuous batching: up to max_batch sequences decode
// together; when one finishes (EOS, a stop string, the token budget or the context) its cache
// slot is refilled at once from the queue, so the batch stays full. This is the engine of
// `dsmath generate`, `dsmath eval` and GRPO rollouts.
//
// Sampling runs on the backend, where the logits are (Backend::sample_tokens): per step only the
// rows' draw keys go up and their tokens and log-probs come back. Determinism: token n of request
// i draws from the key (seed, i, n), so its output does not depend on which other requests share
// its batch, nor on the backend's thread count.
#include <cstdint>
#include <functional>
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

  int max_batch() const { return max_batch_; }
  int max_len() const { return max_len_; }

 private:
  Transformer& model_;
  int max_batch_;
  int max_len_;
  KvCache cache_;
  // the sampling step's backend memory, allocated once: max_batch draw keys; a step's n tokens
  // followed by their n log-probs (one download)
  Buffer draw_keys_, sampled_;
};

}  // namespace dsmath
