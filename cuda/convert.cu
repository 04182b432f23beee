#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/convert.cuh"
#include "cuda/launch.cuh"

namespace dsmath::cuda {

namespace {
template <class S, class D>
__global__ void convert_kernel(D* __restrict__ dst, const S* __restrict__ src, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    dst[i] = from_float<D>(to_float(src[i]));
}

template <class S>
void dispatch_dst(Tensor dst, const S* src, int64_t n, cudaStream_t stream) {
  constexpr int kThreads = 256;
  const unsigned grid = grid_for(n, kThreads);
  switch (dst.dtype) {
    case DType::f32:
      launch("convert", convert_kernel<S, float>, grid, kThreads, 0, stream, dst.as<float>(), src, n);
      break;
    case DType::bf16:
      launch("convert", convert_kernel<S, bf16>, grid, kThreads, 0, stream, dst.as<bf16>(), src, n);
      break;
    case DType::f16:
      launch("convert", convert_kernel<S, __half>, grid, kThreads, 0, stream, dst.as<__half>(), src, n);
      break;
    default: fail_op("convert", "unsupported destination dtype");
  }
}
}  // namespace

void launch_convert(Tensor dst, Tensor src, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  switch (src.dtype) {
    case DType::f32: dispatch_dst(dst, src.as<const float>(), n, stream); break;
    case DType::bf16: dispatch_dst(dst, src.as<const bf16>(), n, stream); break;
    case DType::f16: dispatch_dst(dst, src.as<const __half>(), n, stream); break;
    default: fail_op("convert", "unsupported source dtype");
  }
}

}  // namespace dsmath::cuda
