#pragma once
// Elementwise ops (CPU twin: backend/cpu/elementwise.cpp).
// add: out = a + b, 3 * n * size bytes (bf16: 6 bytes/element), n FLOPs.
// scale: x *= factor in place, 2 * n * size bytes.
#include <cuda_runtime.h>

#include "backend/tensor.hpp"

namespace dsmath::cuda {

// out, a, b share one dtype (bf16 or f32); out may alias a or b.
void launch_add(Tensor out, Tensor a, Tensor b, int64_t n, cudaStream_t stream);
void launch_scale(Tensor x, int64_t n, float factor, cudaStream_t stream);

}  // namespace dsmath::cuda
