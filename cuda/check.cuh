#pragma once
// Error checks for every CUDA runtime call, kernel launch, cuBLASLt and NCCL call, naming the
// op that failed. This header is included by .cu files, which nvcc 13 compiles without fmt or
// core/error.hpp; the functions are compiled by the host compiler in check.cpp and throw
// dsmath::Error there.
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

namespace dsmath::cuda {

[[noreturn]] void throw_cuda_error(cudaError_t err, const char* op, const char* file, int line);
[[noreturn]] void throw_cublas_error(int status, const char* op, const char* file, int line);
// A bad argument or an unsupported case reported by a launcher: "cuda backend: OP: MESSAGE".
[[noreturn]] void fail_op(const char* op, const std::string& message, const std::string& hint = {});

inline void check_cuda(cudaError_t err, const char* op, const char* file, int line) {
  if (err != cudaSuccess) throw_cuda_error(err, op, file, line);
}

}  // namespace dsmath::cuda

// DSMATH_CUDA(cudaMemcpyAsync(...), "upload"): the call's error, with the op and location.
#define DSMATH_CUDA(call, op) ::dsmath::cuda::check_cuda((call), (op), __FILE__, __LINE__)
// After a <<<...>>> launch: configuration errors show at once, faults at the next sync.
#define DSMATH_LAUNCHED(op) ::dsmath::cuda::check_cuda(cudaGetLastError(), (op), __FILE__, __LINE__)
#define DSMATH_CUBLAS(call, op)                                                                   \
  do {                                                                                            \
    const int dsmath_status_ = static_cast<int>(call);                                            \
    if (dsmath_status_ != 0) ::dsmath::cuda::throw_cublas_error(dsmath_status_, (op), __FILE__, __LINE__); \
  } while (0)
