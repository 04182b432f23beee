// Device discovery for the CUDA bridge (lib/backend/cuda_bridge.hpp). A CUDA build must run
// on machines without a GPU: any error from the runtime counts as "no GPU" (TOOLCHAIN.md 4).
#include <cuda_runtime.h>

#include <cstdlib>
#include <string>

#include "backend/cuda_bridge.hpp"
#include "core/error.hpp"

namespace dsmath::cuda_bridge {

namespace {
cudaError_t probe(int* count) {
  *count = 0;
  cudaError_t err = cudaGetDeviceCount(count);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error so later calls start clean
    *count = 0;
  }
  return err;
}
}  // namespace

bool available_in_build() { return true; }

int device_count() {
  int count = 0;
  probe(&count);
  return count;
}

std::string no_device_reason() {
  int count = 0;
  cudaError_t err = probe(&count);
  if (err != cudaSuccess) return std::string("CUDA runtime: ") + cudaGetErrorString(err);
  if (count == 0) return "the CUDA runtime reports no devices";
  return "GPUs present";
}

std::unique_ptr<Backend> create(int device) {
  (void)device;
  fail_hint("use --device cpu", "the CUDA backend is not implemented in this build yet");
}

}  // namespace dsmath::cuda_bridge
