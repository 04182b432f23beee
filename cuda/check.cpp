#include "cuda/check.cuh"

#include <cublasLt.h>

#include "core/error.hpp"

namespace dsmath::cuda {

namespace {
std::string where(const char* file, int line) {
  std::string f(file);
  const auto slash = f.rfind('/');
  return fmt::format("{}:{}", slash == std::string::npos ? f : f.substr(slash + 1), line);
}
}  // namespace

void throw_cuda_error(cudaError_t err, const char* op, const char* file, int line) {
  // Clear the non-sticky error so that the caller's handler can still use the runtime; a
  // sticky one (illegal address) leaves the context unusable and the process must exit.
  cudaGetLastError();
  const std::string hint =
      err == cudaErrorMemoryAllocation
          ? "use a smaller train.micro_batch_size, set train.recompute_activations=true, or optim.state_dtype=bf16"
          : (err == cudaErrorIllegalAddress || err == cudaErrorLaunchFailure)
                ? "a kernel faulted; rerun under compute-sanitizer (the failing op may be an earlier asynchronous one)"
                : "";
  throw Error(fmt::format("cuda backend: {} failed: {} ({}) at {}", op, cudaGetErrorString(err),
                          cudaGetErrorName(err), where(file, line)),
              hint);
}

void throw_cublas_error(int status, const char* op, const char* file, int line) {
  throw Error(fmt::format("cuda backend: {} failed: cuBLAS status {} ({}) at {}", op, status,
                          cublasLtGetStatusString(static_cast<cublasStatus_t>(status)), where(file, line)));
}

void fail_op(const char* op, const std::string& message, const std::string& hint) {
  throw Error(fmt::format("cuda backend: {}: {}", op, message), hint);
}

}  // namespace dsmath::cuda
