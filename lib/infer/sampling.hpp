#pragma once
// How generation chooses the next token: greedy, or temperature sampling restricted by top-k and
// top-p (nucleus, Holtzman et al. 2020), run by the backend where the logits are
// (Backend::sample_tokens; the rule, ties included: backend/sampling_rule.hpp). The
// log-probability a token carries is log softmax(logits / T)[token], before the cuts: what the
// training forward computes at the same temperature, so GRPO's old-policy log-probs from the
// sampler match the trainer's recomputation.
#include <cstdint>

#include "backend/backend.hpp"
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
    v("top_p", top_p, "nucleus sampling: keep the most likely tokens until they hold this much probability (ties at the boundary kept)", Check().greater_than(0).at_most(1));
    v("top_k", top_k, "keep only the k most likely tokens, and any tied with the k-th (0: all)", Check().at_least(0));
    v("max_new_tokens", max_new_tokens, "generation stops after this many tokens", Check().at_least(1));
    v("seed", seed, "sampling seed (each request derives its own stream from it)");
  }

  SamplingSpec spec() const { return {temperature, top_p, top_k}; }
};

// Token `index` (0 for the first generated token) of the request whose stream is `request_seed`:
// the draw key Backend::sample_tokens turns into its uniform (counter-based: no generator state).
constexpr uint64_t draw_key(uint64_t request_seed, uint64_t index) { return mix64(request_seed ^ mix64(index)); }

}  // namespace dsmath
