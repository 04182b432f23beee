#pragma once
// dst[i] = src[i] between f32, bf16 and f16 (round to nearest even), Backend::convert.
// Memory-bound: (size(src) + size(dst)) * n bytes, no FLOPs to speak of.
#include <cuda_runtime.h>

#include "backend/tensor.hpp"

namespace dsmath::cuda {

void launch_convert(Tensor dst, Tensor src, int64_t n, cudaStream_t stream);

}  // namespace dsmath::cuda
