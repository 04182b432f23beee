#pragma once
// MPI collectives for the CPU backend (processes started by mpirun or srun). Built only with
// MPI (DSMATH_HAVE_MPI); this header does not include mpi.h.
//
// Failure behaviour: MPI itself never times out, so a watchdog thread watches every
// collective. When one waits longer than timeout_s, the rank reads the other ranks' heartbeat
// files (RUN/.heartbeat/rank-N: last step and time), prints which ranks fell behind, and exits
// non-zero; mpirun/srun then stop the remaining ranks. A rank that crashes is reported by the
// launcher itself ("process rank N ... exited on signal 9").
#include <filesystem>
#include <memory>

#include "dist/communicator.hpp"

namespace dsmath {

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(double timeout_s, std::filesystem::path heartbeat_dir);
  ~MpiCommunicator() override;

  int rank() const override;
  int world_size() const override;
  int local_rank() const override;
  std::string name() const override;
  void allreduce_sum(Tensor data, int64_t n) override;
  void allreduce_sum(std::span<double> values) override;
  void allreduce_sum_async(Tensor data, int64_t n) override;
  void reduce_to_owners_async(Tensor data, std::span<const int64_t> ranges) override;
  void wait_all() override;
  void reduce_scatter_sum(Tensor data, int64_t shard) override;
  void all_gather(Tensor data, int64_t shard) override;
  void broadcast(void* host_data, size_t bytes, int root) override;
  void barrier() override;
  void note_step(int64_t step) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

void mpi_abort_if_running(int exit_code);

}  // namespace dsmath
