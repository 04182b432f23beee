#pragma once
// The seam between lib/dist and the NCCL communicator in cuda/nccl_communicator.cpp (built only
// with CUDA and NCCL), so that lib/dist includes no CUDA header. Without them,
// dist/nccl_absent.cpp provides the same function, reporting that NCCL is not available.
#include <memory>

#include "backend/backend.hpp"
#include "dist/communicator.hpp"

namespace dsmath::nccl_bridge {

bool available_in_build();
// NCCL collectives on device tensors, queued on the CUDA backend's stream (ranks use the GPU
// the backend picked by local rank). `host` (MPI for several ranks, the single-process one for
// one) exchanges NCCL's unique id and carries the host-side collectives (loss sums, broadcasts
// of host data, barriers, heartbeats). A collective waiting longer than timeout_s aborts the
// communicator and fails, as the MPI watchdog does.
std::unique_ptr<Communicator> create(std::unique_ptr<Communicator> host, const Backend& backend, double timeout_s);

}  // namespace dsmath::nccl_bridge
