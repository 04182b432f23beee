// Rotary position embedding (Su et al. 2021) in Hugging Face LLaMA's rotate_half layout.
// Angles are computed in fp32 exactly as transformers does (inv_freq = 1 / theta^(2i/d) in
// fp32, angle = position * inv_freq in fp32) so logits match HF checkpoints closely.
#include <cmath>
#include <vector>

#include "backend/cpu/cpu_ops.hpp"

namespace dsmath::cpu {

namespace {
template <bool kInverse>
void rope_apply(float* x, const int32_t* positions, const RopeShape& s) {
  const int half = s.head_dim / 2;
  std::vector<float> inv_freq(half);
  for (int i = 0; i < half; ++i)
    inv_freq[i] = 1.0f / std::pow(s.theta, static_cast<float>(2 * i) / static_cast<float>(s.head_dim));
#pragma omp parallel
  {
    std::vector<float> cos_t(half), sin_t(half);
#pragma omp for schedule(static)
    for (int64_t t = 0; t < s.n_tokens; ++t) {
      const float pos = static_cast<float>(positions[t]);
      for (int i = 0; i < half; ++i) {
        const float angle = pos * inv_freq[i];
        cos_t[i] = std::cos(angle);
        sin_t[i] = kInverse ? -std::sin(angle) : std::sin(angle);
      }
      float* row = x + t * s.row_stride;
      for (int h = 0; h < s.n_heads_rotated; ++h) {
        float* v = row + static_cast<int64_t>(h) * s.head_dim;
        for (int i = 0; i < half; ++i) {
          const float x1 = v[i], x2 = v[i + half];
          v[i] = x1 * cos_t[i] - x2 * sin_t[i];
          v[i + half] = x2 * cos_t[i] + x1 * sin_t[i];
        }
      }
    }
  }
}
}  // namespace

void rope_forward(float* x, const int32_t* positions, const RopeShape& s) { rope_apply<false>(x, positions, s); }
// The rotation is orthogonal: its transpose is the rotation by the negative angle.
void rope_backward(float* dx, const int32_t* positions, const RopeShape& s) { rope_apply<true>(dx, positions, s); }

}  // namespace dsmath::cpu
