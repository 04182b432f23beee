#pragma once
// Stochastic rounding of fp32 to bf16 for the bf16 AdamW moments (optim.state_dtype: bf16).
// Round-to-nearest would lose every update smaller than half a bf16 ulp (2^-9 relative), so a
// moment with beta2 close to 1 would stall; rounding up with probability equal to the dropped
// fraction keeps the expected value exact (Gupta et al. 2015, "Deep learning with limited
// numerical precision"). The random bits come from a counter-based hash of (element, step,
// stream) rather than a generator state, so runs stay deterministic and resume bit for bit.
// Shared by the kernel and the host test reference (compiled by nvcc and g++).
#include <cstdint>
#include <cstring>

#include "core/rng.hpp"

#ifdef __CUDACC__
#define DSMATH_HOST_DEVICE __host__ __device__
#else
#define DSMATH_HOST_DEVICE
#endif

namespace dsmath::cuda {

enum class MomentStream : uint64_t { first = 0x6d31, second = 0x7632 };

// 16 random bits for element `index` of the update of `step`.
DSMATH_HOST_DEVICE inline uint32_t rounding_bits(int64_t index, int64_t step, MomentStream stream) {
  const uint64_t h = mix64(static_cast<uint64_t>(index) ^ mix64(static_cast<uint64_t>(step) * 0x100000001b3ull ^
                                                                static_cast<uint64_t>(stream)));
  return static_cast<uint32_t>(h >> 48);
}

// The bf16 bits of x rounded up or down at random; NaN and infinities are kept.
DSMATH_HOST_DEVICE inline uint16_t bf16_bits_stochastic(float x, uint32_t random16) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7f800000u) == 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | ((bits & 0xffffu) ? 0x40u : 0u));
  // adding below the kept bits carries into them with probability (dropped bits) / 2^16;
  // the sign bit is never reached (magnitudes at most round up to the next binade or to inf)
  bits += random16 & 0xffffu;
  return static_cast<uint16_t>(bits >> 16);
}

}  // namespace dsmath::cuda
