#include <cmath>

#include "cuda/adamw.cuh"
#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/launch.cuh"
#include "cuda/stochastic_rounding.hpp"

namespace dsmath::cuda {

namespace {
struct Coefficients {
  float lr, beta1, beta2, eps, decay, step_size, bc2_sqrt, grad_scale;
  int64_t step;
};

template <class M>
__device__ __forceinline__ float load_moment(const M* p, int64_t i) { return to_float(p[i]); }

__device__ __forceinline__ void store_moment(float* p, int64_t i, float x, int64_t, MomentStream) { p[i] = x; }
__device__ __forceinline__ void store_moment(bf16* p, int64_t i, float x, int64_t step, MomentStream s) {
  p[i] = __ushort_as_bfloat16(bf16_bits_stochastic(x, rounding_bits(i, step, s)));
}

template <class G, class M>
__global__ void adamw_kernel(float* __restrict__ params, bf16* __restrict__ params_copy, const G* __restrict__ grads,
                             M* __restrict__ m, M* __restrict__ v, int64_t n, Coefficients c) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const float g = to_float(grads[i]) * c.grad_scale;
    const float mi = c.beta1 * load_moment(m, i) + (1.0f - c.beta1) * g;
    const float vi = c.beta2 * load_moment(v, i) + (1.0f - c.beta2) * g * g;
    store_moment(m, i, mi, c.step, MomentStream::first);
    store_moment(v, i, vi, c.step, MomentStream::second);
    const float denom = sqrtf(vi) / c.bc2_sqrt + c.eps;
    const float p = params[i] * c.decay - c.step_size * mi / denom;
    params[i] = p;
    if (params_copy != nullptr) params_copy[i] = __float2bfloat16_rn(p);
  }
}

template <class G, class M>
void launch_typed(const AdamWArgs& a, const Coefficients& c, cudaStream_t stream) {
  constexpr int kThreads = 256;
  launch("adamw_update", adamw_kernel<G, M>, grid_for(a.n, kThreads), kThreads, 0, stream, a.params.as<float>(),
         a.params_copy ? a.params_copy.as<bf16>() : nullptr, a.grads.as<const G>(), a.m.as<M>(), a.v.as<M>(), a.n, c);
}
}  // namespace

void launch_adamw(const AdamWArgs& a, cudaStream_t stream) {
  if (a.n <= 0) return;
  // bias corrections in double on the host, exactly as the CPU twin computes them
  const double bc1 = 1.0 - std::pow(static_cast<double>(a.beta1), static_cast<double>(a.step));
  const double bc2 = 1.0 - std::pow(static_cast<double>(a.beta2), static_cast<double>(a.step));
  Coefficients c{a.lr,
                 a.beta1,
                 a.beta2,
                 a.eps,
                 1.0f - a.lr * a.weight_decay,
                 static_cast<float>(a.lr / bc1),
                 static_cast<float>(std::sqrt(bc2)),
                 a.grad_scale,
                 a.step};
  const bool grads_bf16 = a.grads.dtype == DType::bf16, moments_bf16 = a.m.dtype == DType::bf16;
  if (grads_bf16 && moments_bf16) launch_typed<bf16, bf16>(a, c, stream);
  else if (grads_bf16) launch_typed<bf16, float>(a, c, stream);
  else if (moments_bf16) launch_typed<float, bf16>(a, c, stream);
  else launch_typed<float, float>(a, c, stream);
}

}  // namespace dsmath::cuda
