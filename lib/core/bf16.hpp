#pragma once
// bfloat16 <-> float on the host: the top 16 bits of an IEEE float, rounded to nearest even
// (as torch and the CUDA intrinsics do); NaN stays NaN.
#include <bit>
#include <cstdint>

namespace dsmath {

inline uint16_t float_to_bf16_bits(float f) {
  uint32_t u = std::bit_cast<uint32_t>(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // quiet NaN
  const uint32_t rounding_bias = 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>((u + rounding_bias) >> 16);
}

inline float bf16_bits_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

// IEEE half <-> float (safetensors F16 checkpoints).
float fp16_bits_to_float(uint16_t h);
uint16_t float_to_fp16_bits(float f);

}  // namespace dsmath
