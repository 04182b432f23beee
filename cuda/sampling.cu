#include <climits>
#include <cmath>

#include "backend/sampling_rule.hpp"
#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/launch.cuh"
#include "cuda/sampling.cuh"

namespace dsmath::cuda {

namespace {
constexpr int kThreads = 512;
constexpr int kWarps = kThreads / 32;
constexpr int kBins = 256;  // one 8-bit digit of an order key per radix pass
using u64 = unsigned long long;

// Shared memory of one row's block.
struct Shared {
  float best_value[kWarps];
  int best_index[kWarps];
  int flag[kWarps];
  double sum[kWarps];
  u64 total[kWarps];
  u64 hist[kWarps][kBins];  // per warp: lanes of one warp contend with each other only
  u64 prefix[kThreads];     // the draw's exclusive prefix sums, one per thread's chunk
  unsigned selected_key;
  u64 selected_above;
  u64 kept_total;
};

// Block-wide reductions in a fixed order: the warp's shuffle tree, then every thread combines the
// warp results in warp order. `scratch` holds kWarps values; every thread gets the result.
template <class T, class Op>
__device__ __forceinline__ T block_reduce(T v, Op op, T* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
  __syncthreads();  // the scratch of a previous reduction has been read
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  T r = scratch[0];
  for (int w = 1; w < kWarps; ++w) r = op(r, scratch[w]);
  return r;
}

// The larger logit, the lower id among equals.
__device__ __forceinline__ void take_better(float& value, int& index, float v, int i) {
  if (v > value || (v == value && i < index)) {
    value = v;
    index = i;
  }
}
__device__ __forceinline__ void block_argmax(float& value, int& index, Shared& sh) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1)
    take_better(value, index, __shfl_xor_sync(0xffffffffu, value, offset), __shfl_xor_sync(0xffffffffu, index, offset));
  __syncthreads();
  if (lane == 0) {
    sh.best_value[warp] = value;
    sh.best_index[warp] = index;
  }
  __syncthreads();
  value = sh.best_value[0];
  index = sh.best_index[0];
  for (int w = 1; w < kWarps; ++w) take_better(value, index, sh.best_value[w], sh.best_index[w]);
}

struct Row {
  float max_logit;
  double inv_t;
};

// The largest order key v such that the kept tokens (key >= floor_key) at or above v measure at
// least `need`: their count (kByWeight false: top-k, need = k) or their integer weight (top-p).
// Four passes fix the key's bytes from the highest; each histograms the next byte of the keys
// that share the bytes fixed so far.
template <bool kByWeight, class T>
__device__ uint32_t select_key(const T* __restrict__ x, int vocab, uint32_t floor_key, double need, Row row, Shared& sh) {
  const int warp = threadIdx.x >> 5;
  uint32_t prefix = 0;
  u64 above = 0;  // measure of the kept tokens whose fixed bytes are greater than the prefix's
  for (int pass = 0; pass < 4; ++pass) {
    const int shift = 24 - 8 * pass;
    for (int i = threadIdx.x; i < kWarps * kBins; i += kThreads) sh.hist[i / kBins][i % kBins] = 0;
    __syncthreads();
    for (int i = threadIdx.x; i < vocab; i += kThreads) {
      const float v = to_float(x[i]);
      const uint32_t key = sampling::order_key(v);
      if (key < floor_key || (pass > 0 && (key >> (shift + 8)) != (prefix >> (shift + 8)))) continue;
      const u64 measure = kByWeight ? sampling::weight(v, row.max_logit, row.inv_t) : 1ull;
      atomicAdd(&sh.hist[warp][(key >> shift) & 0xffu], measure);  // integers: the order does not matter
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      u64 acc = above;
      unsigned digit = 0;
      for (int b = kBins - 1; b >= 0; --b) {
        u64 bin = 0;
        for (int w = 0; w < kWarps; ++w) bin += sh.hist[w][b];
        if (static_cast<double>(acc + bin) >= need) {
          digit = static_cast<unsigned>(b);
          break;
        }
        acc += bin;
      }
      sh.selected_key = prefix | (digit << shift);
      sh.selected_above = acc;
    }
    __syncthreads();
    prefix = sh.selected_key;
    above = sh.selected_above;
  }
  return prefix;
}

// The chosen token and its log softmax(logits / T).
template <class T>
__device__ __forceinline__ void write_choice(int32_t* tokens, float* logprobs, int64_t row, const T* x, int token, Row r,
                                             double log_z) {
  tokens[row] = token;
  logprobs[row] = static_cast<float>((static_cast<double>(to_float(x[token])) - r.max_logit) * r.inv_t - log_z);
}

template <class T>
__global__ void __launch_bounds__(kThreads) sample_tokens_kernel(int32_t* __restrict__ tokens, float* __restrict__ logprobs,
                                                                 const T* __restrict__ logits,
                                                                 const uint64_t* __restrict__ draw_keys, int vocab,
                                                                 SamplingSpec spec) {
  DSMATH_STATIC_SHARED(Shared, sh_array, [1]);
  Shared& sh = sh_array[0];
  const int64_t row = blockIdx.x;
  const T* x = logits + row * vocab;
  const int t = threadIdx.x;

  float max_logit = -INFINITY;
  int argmax = INT_MAX, nan = 0;
  for (int i = t; i < vocab; i += kThreads) {
    const float v = to_float(x[i]);
    if (std::isnan(v)) nan = 1;
    else take_better(max_logit, argmax, v, i);
  }
  nan = block_reduce(nan, [](int a, int b) { return a > b ? a : b; }, sh.flag);
  if (nan != 0) {
    if (t == 0) {
      tokens[row] = -1;
      logprobs[row] = NAN;
    }
    return;
  }
  block_argmax(max_logit, argmax, sh);
  const bool greedy = spec.temperature <= 0.0;
  const Row r{max_logit, greedy ? 1.0 : 1.0 / spec.temperature};
  double z = 0;
  for (int i = t; i < vocab; i += kThreads) z += exp((static_cast<double>(to_float(x[i])) - max_logit) * r.inv_t);
  z = block_reduce(z, [](double a, double b) { return a + b; }, sh.sum);
  const double log_z = log(z);
  if (greedy) {
    if (t == 0) write_choice(tokens, logprobs, row, x, argmax, r, log_z);
    return;
  }

  uint32_t floor_key = 0;
  if (spec.top_k > 0 && spec.top_k < vocab) floor_key = select_key<false>(x, vocab, 0, static_cast<double>(spec.top_k), r, sh);
  if (spec.top_p < 1.0) {
    u64 kept = 0;
    for (int i = t; i < vocab; i += kThreads) {
      const float v = to_float(x[i]);
      if (sampling::order_key(v) >= floor_key) kept += sampling::weight(v, max_logit, r.inv_t);
    }
    kept = block_reduce(kept, [](u64 a, u64 b) { return a + b; }, sh.total);
    floor_key = select_key<true>(x, vocab, floor_key, spec.top_p * static_cast<double>(kept), r, sh);
  }

  // the draw: each thread sums its chunk of ids; the thread whose range holds the target walks it
  const int chunk = (vocab + kThreads - 1) / kThreads;
  const int begin = min(vocab, t * chunk), end = min(vocab, begin + chunk);
  u64 mine = 0;
  for (int i = begin; i < end; ++i) {
    const float v = to_float(x[i]);
    if (sampling::order_key(v) >= floor_key) mine += sampling::weight(v, max_logit, r.inv_t);
  }
  sh.prefix[t] = mine;
  __syncthreads();
  if (t == 0) {
    u64 running = 0;
    for (int j = 0; j < kThreads; ++j) {
      const u64 s = sh.prefix[j];
      sh.prefix[j] = running;
      running += s;
    }
    sh.kept_total = running;
  }
  __syncthreads();
  const u64 before = sh.prefix[t];
  const u64 target = sampling::draw_target(draw_keys[row], sh.kept_total);
  if (target < before || target >= before + mine) return;
  u64 running = before;
  for (int i = begin; i < end; ++i) {
    const float v = to_float(x[i]);
    if (sampling::order_key(v) < floor_key) continue;
    running += sampling::weight(v, max_logit, r.inv_t);
    if (running > target) {
      write_choice(tokens, logprobs, row, x, i, r, log_z);
      return;
    }
  }
}
}  // namespace

void launch_sample_tokens(int32_t* tokens, float* logprobs, Tensor logits, const uint64_t* draw_keys, int64_t rows,
                          int vocab, const SamplingSpec& spec, cudaStream_t stream) {
  if (rows <= 0) return;
  if (logits.dtype == DType::bf16)
    launch("sample_tokens", sample_tokens_kernel<bf16>, static_cast<unsigned>(rows), kThreads, 0, stream, tokens, logprobs,
           logits.as<const bf16>(), draw_keys, vocab, spec);
  else
    launch("sample_tokens", sample_tokens_kernel<float>, static_cast<unsigned>(rows), kThreads, 0, stream, tokens, logprobs,
           logits.as<const float>(), draw_keys, vocab, spec);
}

}  // namespace dsmath::cuda
