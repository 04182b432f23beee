// Log-probabilities of target tokens under softmax(logits), the quantity every objective
// here is built on: cross-entropy is -mean(logp), GRPO weighs logp by advantages.
#include <algorithm>
#include <cmath>
#include <limits>

#include "backend/cpu/cpu_ops.hpp"

namespace dsmath::cpu {

void token_logprobs_forward(float* logp, float* entropy, const float* logits, const int32_t* targets, int64_t rows,
                            int vocab) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits + r * vocab;
    float m = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < vocab; ++i) m = std::max(m, x[i]);
    // exponentials in fp32 (each within an ulp), sums in fp64 (the vocabulary is long)
    double sum = 0.0, weighted = 0.0;
    for (int i = 0; i < vocab; ++i) {
      const float d = x[i] - m;
      const float e = std::exp(d);
      sum += e;
      weighted += static_cast<double>(e) * d;
    }
    const double lse = m + std::log(sum);
    logp[r] = targets[r] < 0 ? 0.0f : static_cast<float>(static_cast<double>(x[targets[r]]) - lse);
    // H = -sum p (x - lse) = lse - sum p x
    if (entropy != nullptr) entropy[r] = static_cast<float>(std::log(sum) - weighted / sum);
  }
}

void token_logprobs_backward(float* dlogits, const float* logits, const int32_t* targets, const float* dlogp,
                             int64_t rows, int vocab) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits + r * vocab;
    float* dx = dlogits + r * vocab;
    if (targets[r] < 0 || dlogp[r] == 0.0f) {
      std::fill(dx, dx + vocab, 0.0f);
      continue;
    }
    float m = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < vocab; ++i) m = std::max(m, x[i]);
    double sum = 0.0;
    for (int i = 0; i < vocab; ++i) sum += std::exp(x[i] - m);
    const float shift = static_cast<float>(m + std::log(sum));
    const float g = dlogp[r];
    const int target = targets[r];
    for (int i = 0; i < vocab; ++i) {
      const float p = std::exp(x[i] - shift);
      dx[i] = -g * p;  // may overwrite x[i] (aliasing allowed): x[i] is not read again
    }
    dx[target] += g;
  }
}

}  // namespace dsmath::cpu
