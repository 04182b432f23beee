#include "cuda/emu/device_memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace dsmath::emu {

DeviceMemory::~DeviceMemory() {
  for (auto& [begin, a] : allocations_) std::free(reinterpret_cast<void*>(begin));
}

void* DeviceMemory::allocate(size_t bytes) {
  if (bytes > capacity_ - in_use_) return nullptr;
  // exactly the bytes asked for, so that AddressSanitizer flags the first byte past them
  void* p = nullptr;
  if (posix_memalign(&p, 256, bytes == 0 ? 1 : bytes) != 0) return nullptr;
  std::memset(p, 0xff, bytes);
  const auto begin = reinterpret_cast<uintptr_t>(p);
  allocations_[begin] = Allocation{begin, bytes, next_id_++, {}};
  in_use_ += bytes;
  return p;
}

bool DeviceMemory::release(void* p) {
  auto it = allocations_.find(reinterpret_cast<uintptr_t>(p));
  if (it == allocations_.end()) return false;
  in_use_ -= it->second.bytes;
  allocations_.erase(it);
  std::free(p);
  return true;
}

Allocation* DeviceMemory::find(const void* p) {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  auto it = allocations_.upper_bound(addr);
  if (it == allocations_.begin()) return nullptr;
  --it;
  Allocation& a = it->second;
  return addr <= a.begin + a.bytes ? &a : nullptr;
}

bool DeviceMemory::contains(const void* p, size_t bytes) {
  const Allocation* a = find(p);
  return a != nullptr && reinterpret_cast<uintptr_t>(p) + bytes <= a->begin + a->bytes;
}

std::optional<std::string> DeviceMemory::record(const Footprint& f, int stream, uint64_t seq, const VectorClock& clock,
                                                const VectorClock& settled, const std::string& task) {
  Allocation* a = find(f.ptr);
  if (a == nullptr || f.bytes == 0) return std::nullopt;
  const auto begin = reinterpret_cast<uintptr_t>(f.ptr);
  const uintptr_t end = std::min(begin + f.bytes, a->begin + a->bytes);
  auto& log = a->accesses;
  std::erase_if(log, [&](const AccessRecord& r) { return r.seq <= settled.at(r.stream); });
  std::optional<std::string> race;
  for (const AccessRecord& r : log) {
    if (r.stream == stream || !(r.writes || f.writes) || r.end <= begin || end <= r.begin) continue;
    if (r.seq <= clock.at(r.stream)) continue;  // ordered: r completed before this task starts
    race = fmt::format("stream race on device memory: {} ({}) on stream {} {} bytes [{}, {}) of a {}-byte allocation that "
                       "{} on stream {} {}, and no event orders the two (record an event after the first and make the "
                       "other stream wait for it: cudaEventRecord + cudaStreamWaitEvent)",
                       task, f.what, stream, f.writes ? "writes" : "reads", std::max(begin, r.begin) - a->begin,
                       std::min(end, r.end) - a->begin, a->bytes, r.task, r.stream, r.writes ? "writes" : "reads");
    break;
  }
  log.push_back(AccessRecord{begin, end, stream, seq, f.writes, task});
  return race;
}

}  // namespace dsmath::emu
