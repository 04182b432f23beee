#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/elementwise.cuh"
#include "cuda/launch.cuh"

namespace dsmath::cuda {

namespace {
// 8 bf16 per thread and step through 16-byte words when every pointer allows it.
__global__ void add_bf16x8_kernel(bf16* out, const bf16* a, const bf16* b, int64_t n_vec) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n_vec; i += int64_t(gridDim.x) * blockDim.x) {
    Bf16x8 x, y, z;
    x.raw = load16(a + 8 * i);
    y.raw = load16(b + 8 * i);
#pragma unroll
    for (int j = 0; j < 8; ++j) z.h[j] = __float2bfloat16_rn(__bfloat162float(x.h[j]) + __bfloat162float(y.h[j]));
    store16(out + 8 * i, z.raw);
  }
}

template <class T>
__global__ void add_kernel(T* out, const T* a, const T* b, int64_t begin, int64_t n) {
  for (int64_t i = begin + blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = from_float<T>(to_float(a[i]) + to_float(b[i]));
}

template <class T>
__global__ void scale_kernel(T* x, int64_t n, float factor) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    x[i] = from_float<T>(to_float(x[i]) * factor);
}

constexpr int kThreads = 256;
}  // namespace

void launch_add(Tensor out, Tensor a, Tensor b, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  if (out.dtype == DType::bf16) {
    int64_t done = 0;
    const auto bits = reinterpret_cast<uintptr_t>(out.data) | reinterpret_cast<uintptr_t>(a.data) |
                      reinterpret_cast<uintptr_t>(b.data);
    if ((bits & 15u) == 0 && n >= 8) {
      const int64_t n_vec = n / 8;
      launch("add (8 bf16 per thread)", add_bf16x8_kernel, grid_for(n_vec, kThreads), kThreads, 0, stream,
             out.as<bf16>(), a.as<const bf16>(), b.as<const bf16>(), n_vec);
      done = n_vec * 8;
    }
    if (done < n) {
      launch("add", add_kernel<bf16>, grid_for(n - done, kThreads), kThreads, 0, stream, out.as<bf16>(),
             a.as<const bf16>(), b.as<const bf16>(), done, n);
    }
  } else {
    launch("add", add_kernel<float>, grid_for(n, kThreads), kThreads, 0, stream, out.as<float>(), a.as<const float>(),
           b.as<const float>(), 0, n);
  }
}

void launch_scale(Tensor x, int64_t n, float factor, cudaStream_t stream) {
  if (n <= 0) return;
  if (x.dtype == DType::bf16)
    launch("scale", scale_kernel<bf16>, grid_for(n, kThreads), kThreads, 0, stream, x.as<bf16>(), n, factor);
  else
    launch("scale", scale_kernel<float>, grid_for(n, kThreads), kThreads, 0, stream, x.as<float>(), n, factor);
}

}  // namespace dsmath::cuda
