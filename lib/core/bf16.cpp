#include "core/bf16.hpp"

#include <cmath>

namespace dsmath {

float fp16_bits_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {
    // zero or subnormal: mantissa * 2^-24
    float v = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -v : v;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

uint16_t float_to_fp16_bits(float f) {
  uint32_t u = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  u &= 0x7fffffffu;
  if (u > 0x7f800000u) return sign | 0x7e00u;        // NaN
  if (u >= 0x477ff000u) return sign | 0x7c00u;       // overflow (>= 65520 rounds to inf)
  if (u < 0x38800000u) {                             // subnormal or zero in half
    float v = std::bit_cast<float>(u);
    // round(v * 2^24) with ties to even
    float scaled = std::nearbyint(std::ldexp(v, 24));
    return sign | static_cast<uint16_t>(scaled);
  }
  const uint32_t rounding = 0xfffu + ((u >> 13) & 1u);
  u += rounding;
  return sign | static_cast<uint16_t>(((u >> 23) - 112) << 10 | ((u >> 13) & 0x3ffu));
}

}  // namespace dsmath
