#include <cfloat>

#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/launch.cuh"
#include "cuda/token_logprobs.cuh"

namespace dsmath::cuda {

namespace {
// Threads per block (one block per row): enough for about 4 items (16-byte words, or single
// logits) per thread, from one warp to kMaxThreads. A 102400-word vocabulary uses 512; a small
// one does not keep 16 idle warps in every barrier and shuffle.
constexpr int kMaxThreads = 512;
int threads_for(int vocab, bool vec) {
  const int items = vec ? vocab / 8 : vocab;
  int t = 32;
  while (t < kMaxThreads && t * 4 < items) t *= 2;
  return t;
}

// Running softmax statistics of a set of logits: max m, sum of exp(x - m), sum of exp(x - m) x.
// (trivially constructible: it lives in shared memory; start from empty_stats())
struct SoftmaxStats {
  float m, s, t;

  __device__ __forceinline__ void add(float x) {
    if (x > m) {
      const float r = __expf(m - x);
      s *= r;
      t *= r;
      m = x;
    }
    const float e = __expf(x - m);
    s += e;
    t += e * x;
  }
  __device__ __forceinline__ void merge(const SoftmaxStats& o) {
    const float mm = fmaxf(m, o.m);
    const float ra = __expf(m - mm), rb = __expf(o.m - mm);
    s = s * ra + o.s * rb;
    t = t * ra + o.t * rb;
    m = mm;
  }
};

// -FLT_MAX rather than -inf: merging two empty sets must not compute exp(-inf + inf)
__device__ __forceinline__ SoftmaxStats empty_stats() { return {-FLT_MAX, 0.0f, 0.0f}; }

__device__ __forceinline__ SoftmaxStats shfl_xor(const SoftmaxStats& v, int offset) {
  SoftmaxStats o;
  o.m = __shfl_xor_sync(0xffffffffu, v.m, offset);
  o.s = __shfl_xor_sync(0xffffffffu, v.s, offset);
  o.t = __shfl_xor_sync(0xffffffffu, v.t, offset);
  return o;
}

// Statistics of one row, combined over the block in a fixed order; every thread gets them.
template <bool kVec>
__device__ SoftmaxStats row_stats(const bf16* __restrict__ x, int vocab) {
  DSMATH_STATIC_SHARED(SoftmaxStats, shared, [kMaxThreads / 32]);
  SoftmaxStats st = empty_stats();
  if constexpr (kVec) {
    for (int c = threadIdx.x * 8; c < vocab; c += blockDim.x * 8) {
      Bf16x8 v;
      v.raw = load16(x + c);
#pragma unroll
      for (int j = 0; j < 8; ++j) st.add(__bfloat162float(v.h[j]));
    }
  } else {
    for (int c = threadIdx.x; c < vocab; c += blockDim.x) st.add(__bfloat162float(x[c]));
  }
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) st.merge(shfl_xor(st, offset));
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();
  if (lane == 0) shared[warp] = st;
  __syncthreads();
  st = lane < static_cast<int>(blockDim.x / 32) ? shared[lane] : empty_stats();
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) st.merge(shfl_xor(st, offset));
  return st;
}

template <bool kVec>
__global__ void __launch_bounds__(kMaxThreads) token_logprobs_forward_kernel(float* __restrict__ logp, float* __restrict__ entropy,
                                                                          const bf16* __restrict__ logits,
                                                                          const int32_t* __restrict__ targets, int vocab) {
  const int64_t r = blockIdx.x;
  const bf16* x = logits + r * vocab;
  const SoftmaxStats st = row_stats<kVec>(x, vocab);
  if (threadIdx.x == 0) {
    const float lse = st.m + logf(st.s);
    const int32_t target = targets[r];
    logp[r] = target < 0 ? 0.0f : __bfloat162float(x[target]) - lse;
    // H = -sum p (x - lse) = lse - sum p x
    if (entropy != nullptr) entropy[r] = lse - st.t / st.s;
  }
}

template <bool kVec>
__global__ void __launch_bounds__(kMaxThreads) token_logprobs_backward_kernel(bf16* dlogits, const bf16* logits,
                                                                           const int32_t* __restrict__ targets,
                                                                           const float* __restrict__ dlogp, int vocab) {
  const int64_t r = blockIdx.x;
  const bf16* x = logits + r * vocab;
  bf16* dx = dlogits + r * vocab;
  const int32_t target = targets[r];
  const float g = target < 0 ? 0.0f : dlogp[r];
  if (g == 0.0f) {
    for (int c = threadIdx.x; c < vocab; c += blockDim.x) dx[c] = __float2bfloat16_rn(0.0f);
    return;
  }
  const SoftmaxStats st = row_stats<kVec>(x, vocab);
  const float lse = st.m + logf(st.s);
  // each element is read then written by the same thread: dlogits may alias logits
  if constexpr (kVec) {
    for (int c = threadIdx.x * 8; c < vocab; c += blockDim.x * 8) {
      Bf16x8 v, d;
      v.raw = load16(x + c);
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        const float p = __expf(__bfloat162float(v.h[j]) - lse);
        d.h[j] = __float2bfloat16_rn(c + j == target ? g * (1.0f - p) : -g * p);
      }
      store16(dx + c, d.raw);
    }
  } else {
    for (int c = threadIdx.x; c < vocab; c += blockDim.x) {
      const float p = __expf(__bfloat162float(x[c]) - lse);
      dx[c] = __float2bfloat16_rn(c == target ? g * (1.0f - p) : -g * p);
    }
  }
}

bool vectorizable(int vocab, const void* a, const void* b) {
  return vocab % 8 == 0 && ((reinterpret_cast<uintptr_t>(a) | reinterpret_cast<uintptr_t>(b)) & 15u) == 0;
}
}  // namespace

void launch_token_logprobs_forward(float* logp, float* entropy, Tensor logits, const int32_t* targets, int64_t rows,
                                   int vocab, cudaStream_t stream) {
  if (rows <= 0) return;
  const unsigned grid = static_cast<unsigned>(rows);
  if (vectorizable(vocab, logits.data, logits.data))
    launch("token_logprobs_forward", token_logprobs_forward_kernel<true>, grid, threads_for(vocab, true), 0, stream,
           logp, entropy, logits.as<const bf16>(), targets, vocab);
  else
    launch("token_logprobs_forward", token_logprobs_forward_kernel<false>, grid, threads_for(vocab, false), 0, stream,
           logp, entropy, logits.as<const bf16>(), targets, vocab);
}

void launch_token_logprobs_backward(Tensor dlogits, Tensor logits, const int32_t* targets, const float* dlogp,
                                    int64_t rows, int vocab, cudaStream_t stream) {
  if (rows <= 0) return;
  const unsigned grid = static_cast<unsigned>(rows);
  if (vectorizable(vocab, logits.data, dlogits.data))
    launch("token_logprobs_backward", token_logprobs_backward_kernel<true>, grid, threads_for(vocab, true), 0, stream,
           dlogits.as<bf16>(), logits.as<const bf16>(), targets, dlogp, vocab);
  else
    launch("token_logprobs_backward", token_logprobs_backward_kernel<false>, grid, threads_for(vocab, false), 0,
           stream, dlogits.as<bf16>(), logits.as<const bf16>(), targets, dlogp, vocab);
}

}  // namespace dsmath::cuda
