#pragma once
// The CUDA device language on the host compiler: what an emulated build (DSMATH_CUDA_EMULATION)
// force-includes before every cuda/*.cu file, so that the same sources compile with g++ and run
// on the emulated GPU (thread_block.hpp).
//
// __global__, __device__ and __host__ are already empty outside nvcc (crt/host_defines.h).
// Shared memory is declared through DSMATH_STATIC_SHARED and DSMATH_DYNAMIC_SHARED
// (cuda/launch.cuh), which give each block fresh memory; a bare __shared__ does not compile.
// The math functions are the C library's: __expf and friends are exact here, where the hardware's
// are approximations (docs/cuda.md says what the emulated tier cannot show).
#define __shared__ static_assert(false, "declare shared memory with DSMATH_STATIC_SHARED or DSMATH_DYNAMIC_SHARED");
#define __launch_bounds__(...)

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "cuda/emu/thread_block.hpp"

#define threadIdx (::dsmath::emu::current_thread().thread_idx)
#define blockIdx (::dsmath::emu::current_thread().block_idx)
#define blockDim (::dsmath::emu::current_thread().block_dim)
#define gridDim (::dsmath::emu::current_thread().grid_dim)
#define warpSize 32

inline void __syncthreads() { ::dsmath::emu::syncthreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { ::dsmath::emu::syncwarp(mask); }

namespace dsmath::emu {
struct ShuffleArgs {
  uint64_t value = 0, result = 0;
  int lane_mask = 0, width = 32;
};
// result of lane l = value of lane l ^ lane_mask, within segments of `width` lanes
void complete_shuffle_xor(void* const* lane_args, unsigned mask);
}  // namespace dsmath::emu

template <class T>
inline T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = warpSize) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffles move values of at most 8 bytes");
  ::dsmath::emu::ShuffleArgs args;
  std::memcpy(&args.value, &var, sizeof(T));
  args.lane_mask = lane_mask;
  args.width = width;
  ::dsmath::emu::warp_collective(::dsmath::emu::Collective::shuffle, mask, &args, &::dsmath::emu::complete_shuffle_xor);
  T out;
  std::memcpy(&out, &args.result, sizeof(T));
  return out;
}

// Integer atomics only (floating-point atomics would make results depend on the order of
// arrival; no kernel here uses them). __atomic builtins, so that ThreadSanitizer sees atomics.
inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
  return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

// The runtime's C++ overload that takes a kernel (cuda_runtime.h declares it for nvcc only).
template <class T>
inline cudaError_t cudaFuncSetAttribute(T* kernel, cudaFuncAttribute attr, int value) {
  return ::cudaFuncSetAttribute(reinterpret_cast<const void*>(kernel), attr, value);
}

// Device math functions the kernels use that the C library lacks.
inline float __expf(float x) { return expf(x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline int min(int a, int b) { return a < b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline long min(long a, long b) { return a < b ? a : b; }
inline unsigned long min(unsigned long a, unsigned long b) { return a < b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long max(long a, long b) { return a > b ? a : b; }
inline unsigned long max(unsigned long a, unsigned long b) { return a > b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline float max(float a, float b) { return fmaxf(a, b); }
