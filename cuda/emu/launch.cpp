#include "cuda/emu/launch.hpp"

#include <fmt/format.h>

#include <mutex>

#include "cuda/emu/device.hpp"
#include "cuda/emu/errors.hpp"
#include "cuda/emu/thread_block.hpp"

namespace dsmath::emu {

namespace {
std::string dims(dim3 d) { return fmt::format("({},{},{})", d.x, d.y, d.z); }

// The configuration error a real launch would report, or an empty string.
std::string configuration_error(const KernelLaunch& l, size_t smem_limit) {
  const dim3 b = l.block, g = l.grid;
  const uint64_t threads = uint64_t{b.x} * b.y * b.z;
  if (threads == 0 || g.x == 0 || g.y == 0 || g.z == 0)
    return fmt::format("{}: empty launch, grid {} block {}", l.op, dims(g), dims(b));
  if (threads > Limits::max_threads_per_block || b.x > Limits::max_block_x || b.y > Limits::max_block_y ||
      b.z > Limits::max_block_z)
    return fmt::format("{}: block {} has {} threads; sm_90 allows at most {} per block (x and y at most {}, z at most {})",
                       l.op, dims(b), threads, Limits::max_threads_per_block, Limits::max_block_x, Limits::max_block_z);
  if (g.x > Limits::max_grid_x || g.y > Limits::max_grid_y || g.z > Limits::max_grid_z)
    return fmt::format("{}: grid {} is too large; sm_90 allows x up to {} and y, z up to {}", l.op, dims(g),
                       Limits::max_grid_x, Limits::max_grid_y);
  if (l.dynamic_smem_bytes > smem_limit)
    return fmt::format("{}: {} bytes of dynamic shared memory, above this kernel's limit of {}{}", l.op,
                       l.dynamic_smem_bytes, smem_limit,
                       smem_limit == Limits::default_dynamic_smem
                           ? " (above 48 KiB a kernel needs cudaFuncSetAttribute(cudaFuncAttributeMaxDynamicSharedMemorySize))"
                           : "");
  return {};
}
}  // namespace

void submit_kernel(KernelLaunch&& l) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (sticky_error() != cudaSuccess) return;
  StreamState* s = d.stream(l.stream);
  if (s == nullptr) {
    set_error(cudaErrorInvalidResourceHandle, fmt::format("{}: launch on a destroyed or unknown stream", l.op));
    return;
  }
  const auto limit = d.dynamic_smem_limit.find(l.kernel);
  const size_t smem_limit = limit == d.dynamic_smem_limit.end() ? Limits::default_dynamic_smem : limit->second;
  if (const std::string err = configuration_error(l, smem_limit); !err.empty()) {
    set_error(l.dynamic_smem_bytes > smem_limit ? cudaErrorInvalidValue : cudaErrorInvalidConfiguration, err);
    return;
  }
  Task task;
  task.name = l.op;
  for (size_t i = 0; i < l.pointers.size(); ++i) {
    const PointerArgument& p = l.pointers[i];
    if (p.ptr == nullptr) continue;
    const Allocation* a = d.memory.find(p.ptr);
    if (a == nullptr) {
      // on a GPU the launch succeeds and the kernel faults at its first access
      set_sticky_error(cudaErrorIllegalAddress,
                       fmt::format("{}: pointer argument {} ({}) is not device memory (not from cudaMalloc, or freed)",
                                   l.op, i + 1, p.ptr));
      return;
    }
    const size_t left = a->begin + a->bytes - reinterpret_cast<uintptr_t>(p.ptr);
    task.footprints.push_back(Footprint{p.ptr, std::min(p.element_bytes, left), p.writes,
                                        fmt::format("its pointer argument {}", i + 1)});
  }
  auto work = std::make_shared<GridWork>();
  work->op = l.op;
  work->grid = l.grid;
  work->block = l.block;
  work->dynamic_smem_bytes = l.dynamic_smem_bytes;
  work->body = std::move(l.body);
  task.run = [work] { run_grid(*work); };
  d.enqueue(s, std::move(task));
}

}  // namespace dsmath::emu
