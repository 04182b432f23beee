#pragma once
// Choosing a backend from --device: "cpu", "cuda" or "auto" (cuda when a GPU is present and
// the build has CUDA, else cpu, saying so in one line; cpu in a build for the emulated GPU).
#include <memory>
#include <string>

#include "backend/backend.hpp"

namespace dsmath {

struct BackendOptions {
  std::string device = "auto";  // auto | cpu | cuda
  int cpu_threads = 0;          // 0: all cores
  int cuda_device = -1;         // -1: the local rank's GPU (or 0)
};

std::unique_ptr<Backend> create_backend(const BackendOptions& options);

// Number of usable GPUs; 0 when the build has no CUDA or no driver/GPU is present.
int cuda_device_count();
bool built_with_cuda();

}  // namespace dsmath
