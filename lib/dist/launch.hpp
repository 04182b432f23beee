#pragma once
// How this process was launched (mpirun, srun or alone) and the communicator to match.
#include <filesystem>
#include <memory>

#include "dist/communicator.hpp"
#include "dist/dist_config.hpp"

namespace dsmath {

// World size announced by the launcher's environment (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
// SLURM_NTASKS inside an srun step); 1 when started directly.
int launched_world_size();
// Local rank from the launcher (OMPI_COMM_WORLD_LOCAL_RANK, SLURM_LOCALID, ...), else 0.
int launched_local_rank();

// Single process when launched alone; with several ranks, MPI for the CPU backend and NCCL
// (unique id exchanged over MPI) when `backend` is the CUDA backend. heartbeat_dir (may be
// empty) receives one file per rank with its progress, read when a rank goes missing.
std::unique_ptr<Communicator> create_communicator(const DistConfig& config, const std::filesystem::path& heartbeat_dir,
                                                  const Backend* backend = nullptr);

// If MPI is running, abort the whole job (called after an error has been printed, so that the
// other ranks do not wait forever in a collective).
void abort_job_if_distributed(int exit_code);

}  // namespace dsmath
