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

// The kernel's dynamic shared memory (the size given at launch), as `Type name[]`, 128-byte
// aligned. In an emulated build it is a fresh per-block allocation of exactly that size.
#ifdef DSMATH_CUDA_EMULATION
#define DSMATH_DYNAMIC_SHARED(Type, name) Type* const name = static_cast<Type*>(::dsmath::emu::dynamic_shared_memory())
#else
#define DSMATH_DYNAMIC_SHARED(Type, name) extern __shared__ __align__(128) Type name[]
#endif
