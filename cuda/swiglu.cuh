#pragma once
// SwiGLU (CPU twin: backend/cpu/swiglu.cpp): out = silu(gate) * up over rows of
// [gate (ffn) | up (ffn)]. Forward reads 4 and writes 2 bytes per output element (bf16);
// backward reads 6 and writes 4. About 10 FLOPs and one exp per element: memory-bound.
#include <cuda_runtime.h>

#include "backend/tensor.hpp"

namespace dsmath::cuda {

void launch_swiglu_forward(Tensor out, Tensor gate_up, int64_t rows, int ffn, cudaStream_t stream);
void launch_swiglu_backward(Tensor dgate_up, Tensor dout, Tensor gate_up, int64_t rows, int ffn, cudaStream_t stream);

}  // namespace dsmath::cuda
