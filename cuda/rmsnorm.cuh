#pragma once
// RMSNorm (CPU twin: backend/cpu/rmsnorm.cpp): y = x * rstd * w, rstd = 1/sqrt(mean(x^2)+eps).
// Forward: one warp per row, reads 2 and writes 2 bytes per element (bf16) + 4 per row (rstd);
// the second read of the row hits L1. Backward: din (accumulated, bf16) by one warp per row,
// reading dy, x, din and writing din (8 bytes per element); dweight without atomics: column
// sums over fixed 256-row chunks into fp32 partials, then the partials added in chunk order
// (deterministic), another 4 bytes per element read. About 5 FLOPs per element each way.
#include <cuda_runtime.h>

#include "backend/tensor.hpp"

namespace dsmath::cuda {

constexpr int kRmsnormRowsPerChunk = 256;

void launch_rmsnorm_forward(Tensor out, float* rstd, Tensor in, Tensor weight, int64_t rows, int dim, float eps,
                            cudaStream_t stream);
size_t rmsnorm_backward_scratch_bytes(int64_t rows, int dim);
// din bf16 (accumulates), dweight f32 or bf16 (accumulates), dout/in/weight bf16.
void launch_rmsnorm_backward(Tensor din, Tensor dweight, Tensor dout, Tensor in, Tensor weight, const float* rstd,
                             int64_t rows, int dim, void* scratch, cudaStream_t stream);

}  // namespace dsmath::cuda
