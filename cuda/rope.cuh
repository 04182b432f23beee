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

}  // namespace dsmath::cuda
