#pragma once
// Choosing the next token from logits: greedy, or temperature sampling restricted by top-k and
// top-p (nucleus, Holtzman et al. 2020). The returned log-probability is that of the model's
// own distribution (temperature 1, unfiltered): the quantity the training forward computes, so
// GRPO's old-policy log-probs from the sampler match the trainer's recomputation.
#include <cstdint>
#include <span>
#include <vector>

#include "config/schema.hpp"
#include "core/rng.hpp"

namespace dsmath {

struct SamplingConfig {
  double temperature = 0.0;  // 0: greedy
  double top_p = 1.0;
  int top_k = 0;             // 0: no limit
  int max_new_tokens = 256;
  uint64_t seed = 1234;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("temperature", temperature, "0 = greedy; otherwise softmax(logits / temperature)", Check().at_least(0));
    v("top_p", top_p, "nucleus sampling: keep the smallest set of tokens with this much probability", Check().greater_than(0).at_most(1));
    v("top_k", top_k, "keep only the k most likely tokens (0: all)", Check().at_least(0));
    v("max_new_tokens", max_new_tokens, "generation stops after this many tokens", Check().at_least(1));
    v("seed", seed, "sampling seed (each request derives its own stream from it)");
  }
};

struct SampledToken {
  int32_t token = 0;
  float logprob = 0;  // log softmax(logits / T)[token] (T = 1 when greedy), before top-k/top-p
};

// Scratch space reused across calls (one per thread).
struct SamplerScratch {
  std::vector<int32_t> order;
  std::vector<double> weights;  // exp((logit - max) / T) per token id: computed once per row
  std::vector<double> probs;
};

SampledToken sample_token(std::span<const float> logits, const SamplingConfig& config, Rng& rng, SamplerScratch& scratch);

}  // namespace dsmath
