#pragma once
// Collectives for data-parallel training over flat buffers. Implementations: a single process
// (no-ops), MPI (CPU backend) and NCCL (CUDA backend). The training loop only sees this.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

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
  virtual void broadcast(void* host_data, size_t bytes, int root) = 0;
  virtual void barrier() = 0;

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
  void broadcast(void*, size_t, int) override {}
  void barrier() override {}
};

}  // namespace dsmath
