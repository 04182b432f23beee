#include "backend/create.hpp"

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cuda_bridge.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace dsmath {

int cuda_device_count() { return cuda_bridge::device_count(); }
bool built_with_cuda() { return cuda_bridge::available_in_build(); }

std::unique_ptr<Backend> create_backend(const BackendOptions& o) {
  if (o.device == "cpu") return std::make_unique<CpuBackend>(o.cpu_threads);
  if (o.device == "cuda") {
    if (!built_with_cuda())
      fail_hint("rebuild with the CUDA toolkit on PATH (see docs/building.md), or use --device cpu",
                "--device cuda: this dsmath was built without CUDA");
    if (cuda_device_count() == 0)
      fail_hint("run on a machine with an NVIDIA GPU and driver, or use --device cpu",
                "--device cuda: no usable GPU found ({})", cuda_bridge::no_device_reason());
    return cuda_bridge::create(o.cuda_device);
  }
  if (o.device == "auto") {
    if (cuda_bridge::emulated()) {
      log::info("this build's GPU is the emulated one (a test device); --device auto runs on the CPU backend "
                "(--device cuda runs on the emulated GPU)");
      return std::make_unique<CpuBackend>(o.cpu_threads);
    }
    if (built_with_cuda() && cuda_device_count() > 0) return cuda_bridge::create(o.cuda_device);
    if (built_with_cuda()) log::info("no GPU found ({}); running on the CPU backend", cuda_bridge::no_device_reason());
    return std::make_unique<CpuBackend>(o.cpu_threads);
  }
  fail_hint("use --device auto, cpu or cuda", "unknown device '{}'", o.device);
}

}  // namespace dsmath
