#pragma once
// A kernel launch on the emulated GPU (cuda/launch.cuh calls launch_kernel in an emulated build).
// The arguments are converted to the kernel's parameter types and copied, as a launch copies
// them; pointer arguments are checked to be device memory and recorded as the kernel's footprint
// (device_memory.hpp); the configuration is checked against sm_90's limits; the grid is queued on
// the stream and runs when the stream is waited for (thread_block.hpp).
#include <cuda_runtime_api.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace dsmath::emu {

struct PointerArgument {
  const void* ptr;
  size_t element_bytes;
  bool writes;  // not a pointer to const
};

struct KernelLaunch {
  const char* op = "";
  const void* kernel = nullptr;  // identity, for cudaFuncSetAttribute
  dim3 grid, block;
  size_t dynamic_smem_bytes = 0;
  cudaStream_t stream = nullptr;
  std::vector<PointerArgument> pointers;  // in parameter order
  std::function<void()> body;
};

// Validates and queues; a bad configuration or argument sets the launch error (cudaGetLastError).
void submit_kernel(KernelLaunch&& launch);

template <class T>
void note_pointer(std::vector<PointerArgument>& out, const T& value) {
  if constexpr (std::is_pointer_v<T>) {
    using Pointee = std::remove_pointer_t<T>;
    size_t bytes = 1;
    if constexpr (!std::is_void_v<Pointee>) bytes = sizeof(Pointee);
    out.push_back(PointerArgument{static_cast<const void*>(value), bytes, !std::is_const_v<Pointee>});
  }
}

template <class... Params, class... Args>
void launch_kernel(const char* op, void (*kernel)(Params...), dim3 grid, dim3 block, size_t dynamic_smem_bytes,
                   cudaStream_t stream, Args&&... args) {
  auto params = std::make_shared<std::tuple<std::decay_t<Params>...>>(std::forward<Args>(args)...);
  KernelLaunch launch;
  launch.op = op;
  launch.kernel = reinterpret_cast<const void*>(kernel);
  launch.grid = grid;
  launch.block = block;
  launch.dynamic_smem_bytes = dynamic_smem_bytes;
  launch.stream = stream;
  std::apply([&](const auto&... p) { (note_pointer(launch.pointers, p), ...); }, *params);
  launch.body = [kernel, params] { std::apply(kernel, *params); };
  submit_kernel(std::move(launch));
}

}  // namespace dsmath::emu
