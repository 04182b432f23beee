#pragma once
// Fused AdamW over a flat range (CPU twin: backend/cpu/adamw.cpp, PyTorch's arithmetic): one
// pass reads the gradient (f32 or bf16), the fp32 master weight and both moments (f32, or bf16
// with stochastic rounding), and writes the master, the moments and the bf16 compute copy.
// Bytes per element: f32 grads and moments 4+4+8 read, 4+8+2 written = 30; bf16 moments 22.
// About 20 FLOPs per element: strictly memory-bound.
#include <cuda_runtime.h>

#include "backend/backend.hpp"

namespace dsmath::cuda {

// params f32; params_copy bf16 or null; grads f32 or bf16; m and v both f32 or both bf16.
void launch_adamw(const AdamWArgs& args, cudaStream_t stream);

}  // namespace dsmath::cuda
