#include <cmath>

#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/launch.cuh"
#include "cuda/rope.cuh"

namespace dsmath::cuda {

RopeInvFreq rope_inv_freq(float theta, int head_dim) {
  RopeInvFreq f{};
  for (int i = 0; i < head_dim / 2 && i < kRopeMaxPairs; ++i)
    f.v[i] = 1.0f / std::pow(theta, static_cast<float>(2 * i) / static_cast<float>(head_dim));
  return f;
}

namespace {
// One thread per (token, pair index i < head_dim/2): one sincos, applied to every head.
__global__ void rope_kernel(bf16* __restrict__ x, const int32_t* __restrict__ positions, int64_t n_tokens, int n_heads,
                            int head_dim, int64_t row_stride, RopeInvFreq inv_freq, float sign) {
  const int half = head_dim / 2;
  const int64_t total = n_tokens * half;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total; idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t t = idx / half;
    const int i = static_cast<int>(idx - t * half);
    const float angle = static_cast<float>(positions[t]) * inv_freq.v[i];
    float s, c;
    sincosf(angle, &s, &c);
    s *= sign;
    bf16* row = x + t * row_stride;
    for (int h = 0; h < n_heads; ++h) {
      bf16* v = row + static_cast<int64_t>(h) * head_dim;
      const float x1 = __bfloat162float(v[i]), x2 = __bfloat162float(v[i + half]);
      v[i] = __float2bfloat16_rn(x1 * c - x2 * s);
      v[i + half] = __float2bfloat16_rn(x2 * c + x1 * s);
    }
  }
}
}  // namespace

void launch_rope(Tensor x, const int32_t* positions, const RopeShape& s, bool inverse, cudaStream_t stream) {
  if (s.n_tokens <= 0 || s.n_heads_rotated <= 0) return;
  if (s.head_dim / 2 > kRopeMaxPairs) fail_op("rope", "head_dim above 256");
  const RopeInvFreq inv_freq = rope_inv_freq(s.theta, s.head_dim);
  constexpr int kThreads = 256;
  launch(inverse ? "rope_backward" : "rope_forward", rope_kernel, grid_for(s.n_tokens * (s.head_dim / 2), kThreads),
         kThreads, 0, stream, x.as<bf16>(), positions, s.n_tokens, s.n_heads_rotated, s.head_dim, s.row_stride,
         inv_freq, inverse ? -1.0f : 1.0f);
}

}  // namespace dsmath::cuda
