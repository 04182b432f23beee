#pragma once
// Sum of squares for the global gradient norm (CPU twin: backend/cpu/elementwise.cpp), in
// double and in a fixed order: fixed 64K-element chunks (one block each, the chunk split the
// same way whatever the GPU), then the chunk sums added by one block in chunk order. Same
// input, same bits: GPU runs resume exactly. Reads n * size bytes once; 2n FLOPs.
#include <cuda_runtime.h>

#include "backend/tensor.hpp"

namespace dsmath::cuda {

constexpr int64_t kSumSquaresChunk = int64_t{1} << 16;

// Scratch the launcher needs (chunk sums and the result), in bytes.
size_t sum_squares_scratch_bytes(int64_t n);
// Leaves the sum at ((double*)scratch)[0].
void launch_sum_squares(Tensor x, int64_t n, void* scratch, cudaStream_t stream);

}  // namespace dsmath::cuda
