#pragma once
// Collectives for data-parallel training over flat buffers. Implementations: a single process
// (no-ops), MPI (CPU backend) and NCCL (CUDA backend). The training loop only sees this.
#include <algorithm>
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
  // ZeRO-1 over equal shards (EqualShards below): the buffer holds world_size x shard
  // elements and rank r owns [r x shard, (r + 1) x shard). After reduce_scatter_sum this
  // rank's shard holds the sum over ranks of that shard (the rest of the buffer is undefined);
  // all_gather copies every rank's shard to all ranks. Equal shards let NCCL run one
  // reduce-scatter and one all-gather, whose rings pay the N - 1 hops of latency once.
  virtual void reduce_scatter_sum(Tensor data, int64_t shard) = 0;
  virtual void all_gather(Tensor data, int64_t shard) = 0;
  // Overlap of the gradient reduction with backward. allreduce_sum_async starts what
  // allreduce_sum does; reduce_to_owners_async starts, for every rank r, the sum over ranks of
  // [ranges[r], ranges[r + 1]) into rank r (any ranges: a layer's bucket clipped to each
  // owner's shard). Both complete by wait_all(); the data must not be touched until then.
  // Every rank starts the same operations in the same order.
  virtual void allreduce_sum_async(Tensor data, int64_t n) { allreduce_sum(data, n); }
  virtual void reduce_to_owners_async(Tensor data, std::span<const int64_t> ranges) = 0;
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
  void reduce_scatter_sum(Tensor, int64_t) override {}
  void all_gather(Tensor, int64_t) override {}
  void reduce_to_owners_async(Tensor, std::span<const int64_t>) override {}
  void broadcast(void*, size_t, int) override {}
  void barrier() override {}
};

// ZeRO-1's partition of the flat parameter space [0, total) into `parts` shards of `size`
// elements (a multiple of the alignment): part r owns [begin(r), end(r)), the last parts
// shorter. Buffers that collectives treat as whole shards hold padded_total() elements.
struct EqualShards {
  int64_t total = 0;
  int parts = 1;
  int64_t size = 0;

  int64_t begin(int r) const { return std::min(total, r * size); }
  int64_t end(int r) const { return std::min(total, (r + 1) * size); }
  int64_t padded_total() const { return size * parts; }
  std::vector<int64_t> bounds() const;  // parts + 1 boundaries: begin(0), ..., end(parts - 1)
};
EqualShards equal_shards(int64_t total, int parts, int64_t alignment = 128);

}  // namespace dsmath
