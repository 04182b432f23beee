#pragma once
// The next-token sampling rule of Backend::sample_tokens, the same on every backend: the pieces
// both the CPU twin (backend/cpu/sampling.cpp) and the CUDA kernel (cuda/sampling.cu) compute,
// written once here. A kernel needs a rule it can evaluate without sorting the vocabulary and
// whose reductions do not depend on their order; this one is:
//
//   m = max logit (argmax: the lowest id among equals); T = temperature (1 when greedy);
//   log-prob of the chosen token = log softmax(logits / T)[token], before any cut (what the RL
//   trainer's forward scores at the same temperature);
//   w_i = floor(exp((logit_i - m) / T) * 2^32), an integer weight (the argmax weighs 2^32; a
//   token below 2^-32 of it weighs 0 and is never drawn), so that every sum of weights is exact
//   and the same in any order, on any backend;
//   top-k: keep the tokens whose logit is at least the k-th largest (ties at the k-th are all
//   kept, as transformers' TopKLogitsWarper does);
//   top-p: of those, keep the tokens whose logit is at least v, the largest logit for which the
//   tokens at or above it carry top_p of the kept weight (the nucleus of Holtzman et al. 2020;
//   ties at the boundary are all kept, where sorting implementations keep an arbitrary subset);
//   draw: u = uniform(draw key) in [0, 1), target = floor(u * total kept weight); the token is
//   the first kept id (in id order) at which the running sum of kept weights exceeds target.
//
// The draw key is counter-based (a hash of the request's seed and the token's index, computed by
// the caller): no generator state on the device, and a request's tokens do not depend on the
// batch it runs in.
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define DSMATH_HOST_DEVICE __host__ __device__
#else
#define DSMATH_HOST_DEVICE
#endif

namespace dsmath::sampling {

constexpr double kWeightOne = 4294967296.0;  // 2^32: the weight of the most likely token

// Monotone map of a float to uint32: a < b (as floats, no NaN) iff key(a) < key(b).
DSMATH_HOST_DEVICE inline uint32_t order_key(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
}

// w = floor(exp((logit - max) * inv_temperature) * 2^32), at most 2^32.
DSMATH_HOST_DEVICE inline uint64_t weight(float logit, float max_logit, double inv_temperature) {
  return static_cast<uint64_t>(::exp((static_cast<double>(logit) - max_logit) * inv_temperature) * kWeightOne);
}

// Uniform in [0, 1) from the 53 high bits of a 64-bit draw key.
DSMATH_HOST_DEVICE inline double uniform(uint64_t draw_key) { return static_cast<double>(draw_key >> 11) * 0x1.0p-53; }

// The index of the draw in [0, total): floor(u * total), kept below total against rounding.
DSMATH_HOST_DEVICE inline uint64_t draw_target(uint64_t draw_key, uint64_t total) {
  const auto t = static_cast<uint64_t>(uniform(draw_key) * static_cast<double>(total));
  return t < total ? t : total - 1;
}

}  // namespace dsmath::sampling
