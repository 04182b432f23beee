#pragma once
// Rotary position embedding in place (CPU twin: backend/cpu/rope.cpp, HF rotate_half pairing:
// channel i rotates with i + head_dim/2 by position * theta^(-2i/head_dim), fp32 angles as
// transformers computes them). Reads and writes 2 bytes per rotated element (bf16), 6 FLOPs
// per pair plus one sincos per (token, pair) shared by all heads of the token.
#include <cuda_runtime.h>

#include "backend/backend.hpp"

namespace dsmath::cuda {

// inverse: rotate by the negative angle (the backward pass: the rotation is orthogonal).
void launch_rope(Tensor x, const int32_t* positions, const RopeShape& shape, bool inverse, cudaStream_t stream);

// theta^(-2i/head_dim) for i < head_dim/2, computed on the host with the host's powf, as the CPU
// twin does, so that every kernel rotates by the same fp32 angle (a 1-ulp difference in a
// frequency moves the angle of position 4096 by about 1e-4 rad).
constexpr int kRopeMaxPairs = 128;  // head_dim <= 256 (op_checks.cpp)
struct RopeInvFreq {
  float v[kRopeMaxPairs];
};
RopeInvFreq rope_inv_freq(float theta, int head_dim);

}  // namespace dsmath::cuda
