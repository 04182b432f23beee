#pragma once
// Device-side helpers shared by the kernels: bf16/f32 loads and stores with fp32 math,
// warp reductions (shuffles: a fixed order, so every kernel here is deterministic), and
// 16-byte vector access. Included only by .cu files.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace dsmath::cuda {

using bf16 = __nv_bfloat16;

__device__ __forceinline__ float to_float(float x) { return x; }
__device__ __forceinline__ float to_float(bf16 x) { return __bfloat162float(x); }
__device__ __forceinline__ float to_float(__half x) { return __half2float(x); }

template <class T>
__device__ __forceinline__ T from_float(float x);
template <>
__device__ __forceinline__ float from_float<float>(float x) { return x; }
template <>
__device__ __forceinline__ bf16 from_float<bf16>(float x) { return __float2bfloat16_rn(x); }
template <>
__device__ __forceinline__ __half from_float<__half>(float x) { return __float2half_rn(x); }

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
__device__ __forceinline__ double warp_sum(double v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// Sum over a block of blockDim.x threads (a multiple of 32, at most 1024); every thread gets
// the total. `shared` holds 32 values. The order is fixed by the thread layout.
template <class T>
__device__ __forceinline__ T block_sum(T v, T* shared) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  v = warp_sum(v);
  __syncthreads();  // `shared` may still be read by a previous call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = lane < warps ? shared[lane] : T(0);
  return warp_sum(v);
}

// 8 bf16 in one 16-byte word.
union Bf16x8 {
  uint4 raw;
  bf16 h[8];
};

__device__ __forceinline__ bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

// 16-byte vector load and store (one instruction for 8 bf16). The address must be 16-byte
// aligned: the hardware faults on a misaligned one ("misaligned address"), and so does the
// emulated GPU, in every build.
__device__ __forceinline__ uint4 load16(const void* p) {
#ifdef DSMATH_CUDA_EMULATION
  ::dsmath::emu::check_aligned(p, 16, "16-byte vector load");
#endif
  return *static_cast<const uint4*>(p);
}
__device__ __forceinline__ void store16(void* p, uint4 v) {
#ifdef DSMATH_CUDA_EMULATION
  ::dsmath::emu::check_aligned(p, 16, "16-byte vector store");
#endif
  *static_cast<uint4*>(p) = v;
}

// Grid size for a grid-stride loop over n items: enough blocks to fill the GPU, no more.
inline unsigned grid_for(int64_t n, int threads, int max_blocks = 65535 * 4) {
  const int64_t blocks = (n + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > max_blocks ? max_blocks : blocks));
}

}  // namespace dsmath::cuda
