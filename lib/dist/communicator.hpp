#pragma once
// Collectives for data-parallel training over flat buffers. Implementations: a single process
// (no-ops), MPI (CPU backend) and NCCL (CUDA backend). The training loop only sees this.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.hpp"

namespace dsmath {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  virtual int local_rank() const = 0;  // rank within the node: picks the GPU
  virtual std::string name() const = 0;

  // In-place sum over ranks of n elements of backend memory.
  virtual void allreduce_sum(Tensor data, int64_t n) = 0;
  // In-place sum over ranks of host doubles (losses, token counts, norms).
  virtual void allreduce_sum(std::span<double> values) = 0;
  // ZeRO-1 (flat buffer split into world_size contiguous ranges, ranges[r]..ranges[r+1]):
  // after reduce_scatter_sum, this rank's range holds the sum over ranks of that range (the
  // rest of the buffer is left as it was); all_gather copies every rank's range to all ranks.
  virtual void reduce_scatter_sum(Tensor data, std::span<const int64_t> ranges) = 0;
  virtual void all_gather(Tensor data, std::span<const int64_t> ranges) = 0;
  // Overlap of the gradient reduction with backward: these start what allreduce_sum and
  // reduce_scatter_sum do, completing by wait_all(); the data must not be touched until then.
  // Every rank starts the same operations in the same order. The defaults block (no overlap).
  virtual void allreduce_sum_async(Tensor data, int64_t n) { allreduce_sum(data, n); }
  virtual void reduce_scatter_sum_async(Tensor data, std::span<const int64_t> ranges) { reduce_scatter_sum(data, ranges); }
  virtual void wait_all() {}
  virtual void broadcast(void* host_data, size_t bytes, int root) = 0;
  virtual void barrier() = 0;
  // Progress marker for failure reports (the step this rank is working on).
  virtual void note_step(int64_t step) {}

  bool is_root() const { return rank() == 0; }
};

class SingleProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  int local_rank() const override { return 0; }
  std::string name() const override { return "single process"; }
  void allreduce_sum(Tensor, int64_t) override {}
  void allreduce_sum(std::span<double>) override {}
  void reduce_scatter_sum(Tensor, std::span<const int64_t>) override {}
  void all_gather(Tensor, std::span<const int64_t>) override {}
  void broadcast(void*, size_t, int) override {}
  void barrier() override {}
};

// Splits [0, total) into `parts` contiguous ranges of nearly equal size, boundaries rounded
// to `alignment` elements; returns parts + 1 boundaries.
std::vector<int64_t> split_ranges(int64_t total, int parts, int64_t alignment = 128);

}  // namespace dsmath
