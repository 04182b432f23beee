#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "backend/cpu/cpu_ops.hpp"
#include "backend/sampling_rule.hpp"

namespace dsmath::cpu {

namespace {
struct Chosen {
  int32_t token;
  float logprob;
};

// One row by the rule of sampling_rule.hpp, written the plain way (a selection and a sort where
// the kernel uses radix selections): the twin the kernel is checked against.
// Scratch reused across the rows of one thread.
struct RowScratch {
  std::vector<uint32_t> keys;
  std::vector<std::pair<uint32_t, uint64_t>> kept;  // (order key, weight)
};

Chosen sample_row(const float* logits, int vocab, uint64_t draw_key, const SamplingSpec& spec, RowScratch& scratch) {
  float max_logit = -std::numeric_limits<float>::infinity();
  int argmax = 0;
  for (int i = 0; i < vocab; ++i) {
    if (std::isnan(logits[i])) return {-1, std::numeric_limits<float>::quiet_NaN()};
    if (logits[i] > max_logit) {
      max_logit = logits[i];
      argmax = i;
    }
  }
  const bool greedy = spec.temperature <= 0.0;
  const double inv_t = greedy ? 1.0 : 1.0 / spec.temperature;
  double z = 0;
  for (int i = 0; i < vocab; ++i) z += std::exp((static_cast<double>(logits[i]) - max_logit) * inv_t);
  const double log_z = std::log(z);
  auto chosen = [&](int token) {
    return Chosen{token, static_cast<float>((static_cast<double>(logits[token]) - max_logit) * inv_t - log_z)};
  };
  if (greedy) return chosen(argmax);

  // top-k: the k-th largest key (with multiplicity) is the floor
  uint32_t floor_key = 0;
  if (spec.top_k > 0 && spec.top_k < vocab) {
    std::vector<uint32_t>& keys = scratch.keys;
    keys.resize(static_cast<size_t>(vocab));
    for (int i = 0; i < vocab; ++i) keys[static_cast<size_t>(i)] = sampling::order_key(logits[i]);
    std::nth_element(keys.begin(), keys.begin() + (spec.top_k - 1), keys.end(), std::greater<>());
    floor_key = keys[static_cast<size_t>(spec.top_k - 1)];
  }
  // top-p: walking the kept tokens from the largest logit down, the key at which the weight
  // passed reaches top_p of the kept total
  if (spec.top_p < 1.0) {
    auto& kept = scratch.kept;
    kept.clear();
    uint64_t total = 0;
    for (int i = 0; i < vocab; ++i) {
      const uint32_t key = sampling::order_key(logits[i]);
      if (key < floor_key) continue;
      const uint64_t w = sampling::weight(logits[i], max_logit, inv_t);
      kept.emplace_back(key, w);
      total += w;
    }
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const double need = spec.top_p * static_cast<double>(total);
    uint64_t mass = 0;
    for (const auto& [key, w] : kept) {
      mass += w;
      if (static_cast<double>(mass) >= need) {
        floor_key = key;
        break;
      }
    }
  }
  uint64_t total = 0;
  for (int i = 0; i < vocab; ++i)
    if (sampling::order_key(logits[i]) >= floor_key) total += sampling::weight(logits[i], max_logit, inv_t);
  const uint64_t target = sampling::draw_target(draw_key, total);
  uint64_t running = 0;
  for (int i = 0; i < vocab; ++i) {
    if (sampling::order_key(logits[i]) < floor_key) continue;
    running += sampling::weight(logits[i], max_logit, inv_t);
    if (running > target) return chosen(i);
  }
  return chosen(argmax);  // not reached: the argmax is kept and weighs 2^32 > 0
}
}  // namespace

void sample_tokens(int32_t* tokens, float* logprobs, const float* logits, const uint64_t* draw_keys, int64_t rows,
                   int vocab, const SamplingSpec& spec) {
#pragma omp parallel if (rows > 1)
  {
    RowScratch scratch;  // per thread
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const Chosen c = sample_row(logits + r * vocab, vocab, draw_keys[r], spec, scratch);
      tokens[r] = c.token;
      logprobs[r] = c.logprob;
    }
  }
}

}  // namespace dsmath::cpu
