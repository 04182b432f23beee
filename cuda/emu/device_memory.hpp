#pragma once
// The emulated GPU's memory: allocations in host memory (256-byte aligned, as cudaMalloc's,
// filled with 0xff bytes so that reading memory nobody wrote gives NaN in bf16 and f32), a budget
// like a device's capacity, and for each allocation the recent accesses of the tasks on every
// stream, from which a read or write that no event orders against another stream's write is
// reported as a stream race.
//
// Footprints: copies, memsets, GEMMs and collectives know exactly which bytes they touch. A
// kernel argument only tells where a tensor starts, so a kernel is recorded as touching the first
// element of each pointer it is given (written unless the pointer is to const): a race is reported
// only where it is certain, never on a guess about a kernel's extent.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cuda/emu/vector_clock.hpp"

namespace dsmath::emu {

struct Footprint {
  const void* ptr = nullptr;
  size_t bytes = 0;
  bool writes = false;
  std::string what;  // e.g. "argument 2 of attention_forward", "destination of cudaMemcpyAsync"
};

struct AccessRecord {
  uintptr_t begin = 0, end = 0;
  int stream = 0;
  uint64_t seq = 0;
  bool writes = false;
  std::string task;
};

struct Allocation {
  uintptr_t begin = 0;
  size_t bytes = 0;
  uint64_t id = 0;
  std::vector<AccessRecord> accesses;
};

class DeviceMemory {
 public:
  explicit DeviceMemory(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  ~DeviceMemory();

  // nullptr when the budget is exhausted
  void* allocate(size_t bytes);
  // false when p is not the start of a live allocation
  bool release(void* p);
  // the allocation holding p (its end counts, for empty ranges), or nullptr
  Allocation* find(const void* p);
  // true when [p, p + bytes) lies inside one allocation
  bool contains(const void* p, size_t bytes);

  size_t capacity() const { return capacity_; }
  size_t in_use() const { return in_use_; }

  // Records the access of task `task` (stream, seq, clock at enqueue); returns a description of
  // the first race with another stream's access that `clock` does not order, if any. Accesses
  // every stream has seen complete (`settled`) are forgotten.
  std::optional<std::string> record(const Footprint& f, int stream, uint64_t seq, const VectorClock& clock,
                                    const VectorClock& settled, const std::string& task);

 private:
  size_t capacity_;
  size_t in_use_ = 0;
  uint64_t next_id_ = 1;
  std::map<uintptr_t, Allocation> allocations_;  // by start address
};

}  // namespace dsmath::emu
