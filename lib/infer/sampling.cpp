#include "infer/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace dsmath {

SampledToken sample_token(std::span<const float> logits, const SamplingConfig& c, Rng& rng, SamplerScratch& scratch) {
  const int vocab = static_cast<int>(logits.size());
  float max_logit = logits[0];
  int argmax = 0;
  for (int i = 1; i < vocab; ++i)
    if (logits[i] > max_logit) {  // ties: the lowest id, deterministically
      max_logit = logits[i];
      argmax = i;
    }
  // log-probs of the distribution sampled from before top-k/top-p: softmax(logits / T), what the
  // RL trainer's forward scores at the same temperature (Transformer::set_logit_temperature).
  // One exp per logit: the sampling weights are the same terms as the normalizer's.
  const double inv_t = c.temperature > 0.0 ? 1.0 / c.temperature : 1.0;
  double z = 0;
  const bool greedy = c.temperature <= 0.0;
  auto& weights = scratch.weights;
  if (!greedy) weights.resize(static_cast<size_t>(vocab));
  for (int i = 0; i < vocab; ++i) {
    const double w = std::exp((static_cast<double>(logits[i]) - max_logit) * inv_t);
    z += w;
    if (!greedy) weights[static_cast<size_t>(i)] = w;
  }
  const double log_z = std::log(z);
  auto model_logprob = [&](int token) {
    return static_cast<float>((static_cast<double>(logits[token]) - max_logit) * inv_t - log_z);
  };

  if (greedy) return {argmax, model_logprob(argmax)};

  // candidates sorted by logit (descending), cut by top-k
  auto& order = scratch.order;
  order.resize(static_cast<size_t>(vocab));
  std::iota(order.begin(), order.end(), 0);
  const int k = (c.top_k > 0 && c.top_k < vocab) ? c.top_k : vocab;
  auto by_logit = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  if (k < vocab || c.top_p < 1.0) {
    std::partial_sort(order.begin(), order.begin() + k, order.end(), by_logit);
    order.resize(static_cast<size_t>(k));
  }
  auto& probs = scratch.probs;
  probs.resize(order.size());
  double total = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    probs[i] = weights[static_cast<size_t>(order[i])];
    total += probs[i];
  }
  size_t keep = order.size();
  if (c.top_p < 1.0) {
    // smallest prefix (in probability order) whose mass reaches top_p
    double mass = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      mass += probs[i] / total;
      if (mass >= c.top_p) {
        keep = i + 1;
        break;
      }
    }
    total = 0;
    for (size_t i = 0; i < keep; ++i) total += probs[i];
  }
  double u = rng.uniform() * total;
  size_t pick = keep - 1;
  for (size_t i = 0; i < keep; ++i) {
    u -= probs[i];
    if (u < 0) {
      pick = i;
      break;
    }
  }
  const int32_t token = order[pick];
  return {token, model_logprob(token)};
}

}  // namespace dsmath
