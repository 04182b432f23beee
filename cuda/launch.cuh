#pragma once
// The one way kernels are launched: no <<<...>>> at call sites. An nvcc build launches with the
// triple-chevron syntax, exactly as before; an emulated build (DSMATH_CUDA_EMULATION, cuda/emu)
// hands the kernel and its arguments, converted to the parameter types as a launch copies them,
// to the emulated device. Either way a configuration error (too many threads, a grid too large,
// too much shared memory) is reported at once, naming `op`; a fault inside the kernel shows at
// the next synchronization.
#include <cuda_runtime.h>

#include <cstddef>
#include <utility>

#include "cuda/check.cuh"
#ifdef DSMATH_CUDA_EMULATION
#include "cuda/emu/launch.hpp"
#endif

namespace dsmath::cuda {

template <class... Params, class... Args>
void launch(const char* op, void (*kernel)(Params...), dim3 grid, dim3 block, size_t dynamic_smem_bytes,
            cudaStream_t stream, Args&&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args), "a kernel launch passes every parameter");
#ifdef DSMATH_CUDA_EMULATION
  emu::launch_kernel(op, kernel, grid, block, dynamic_smem_bytes, stream, std::forward<Args>(args)...);
#else
  kernel<<<grid, block, dynamic_smem_bytes, stream>>>(std::forward<Args>(args)...);
#endif
  DSMATH_LAUNCHED(op);
}

}  // namespace dsmath::cuda

// Shared memory, declared only through these macros (an emulated build refuses a bare
// __shared__). In an emulated build both are allocated afresh for every block: filled with 0xff
// bytes and new to the sanitizers, so that neither a stale value nor the previous block's
// accesses carry over, as on the hardware, where each block has its own.
// - DSMATH_STATIC_SHARED(float, s_m, [4]): a fixed-size array of the kernel or device function;
// - DSMATH_DYNAMIC_SHARED(unsigned char, smem): the launch's dynamic shared memory (its size
//   given at launch), as `Type name[]`, 128-byte aligned.
#ifdef DSMATH_CUDA_EMULATION
#define DSMATH_STATIC_SHARED(Type, name, dims)                                                        \
  static const char name##_key_ = 0;                                                                   \
  using name##_array_ = Type dims;                                                                     \
  name##_array_& name = *static_cast<name##_array_*>(                                                  \
      ::dsmath::emu::static_shared_memory(&name##_key_, sizeof(name##_array_), alignof(name##_array_)))
#define DSMATH_DYNAMIC_SHARED(Type, name) Type* const name = static_cast<Type*>(::dsmath::emu::dynamic_shared_memory())
#else
#define DSMATH_STATIC_SHARED(Type, name, dims) __shared__ Type name dims
#define DSMATH_DYNAMIC_SHARED(Type, name) extern __shared__ __align__(128) Type name[]
#endif
