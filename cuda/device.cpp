// The CUDA bridge (lib/backend/cuda_bridge.hpp): device discovery and backend creation. A CUDA
// build must run on machines without a GPU: any error from the runtime counts as "no GPU"
// (TOOLCHAIN.md 4), and cuBLAS/NCCL are never touched then.
#include <cuda_runtime.h>

#include <string>

#include "backend/cuda_bridge.hpp"
#include "core/error.hpp"
#include "cuda/cuda_backend.hpp"
#include "dist/launch.hpp"

namespace dsmath::cuda_bridge {

namespace {
cudaError_t probe(int* count) {
  *count = 0;
  cudaError_t err = cudaGetDeviceCount(count);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear the error so later calls start clean
    *count = 0;
  }
  return err;
}
}  // namespace

bool available_in_build() { return true; }

bool emulated() {
#ifdef DSMATH_CUDA_EMULATION
  return true;
#else
  return false;
#endif
}

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
  const int count = device_count();
  if (count == 0)
    fail_hint("run on a machine with an NVIDIA GPU and driver, or use --device cpu", "no usable GPU ({})",
              no_device_reason());
  // one GPU per rank of a node: the launcher's local rank picks it
  if (device < 0) device = launched_local_rank() % count;
  if (device >= count)
    fail_hint("choose a device below the count, or unset CUDA_VISIBLE_DEVICES", "GPU {} requested, {} visible", device,
              count);
  return std::make_unique<cuda::CudaBackend>(device);
}

}  // namespace dsmath::cuda_bridge
