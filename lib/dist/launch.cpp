#include "dist/launch.hpp"

#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "dist/mpi_communicator.hpp"
#include "dist/nccl_bridge.hpp"

namespace dsmath {

namespace {
int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  try {
    return std::stoi(v);
  } catch (...) {
    return fallback;
  }
}
}  // namespace

int launched_world_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MV2_COMM_WORLD_SIZE"})
    if (int n = env_int(name, 0); n > 0) return n;
  // SLURM_NTASKS is set for the whole allocation; only inside an srun step are we one of them.
  if (std::getenv("SLURM_STEP_ID") != nullptr)
    if (int n = env_int("SLURM_NTASKS", 0); n > 0) return n;
  return 1;
}

int launched_local_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "MV2_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID"})
    if (int n = env_int(name, -1); n >= 0) return n;
  return 0;
}

std::unique_ptr<Communicator> create_communicator(const DistConfig& config, const std::filesystem::path& heartbeat_dir,
                                                  const Backend* backend) {
  const int world = launched_world_size();
  if (world <= 1) return std::make_unique<SingleProcessCommunicator>();
#ifdef DSMATH_HAVE_MPI
  auto mpi = std::make_unique<MpiCommunicator>(config.timeout_s, heartbeat_dir);
  if (backend != nullptr && backend->kind() == DeviceKind::cuda)
    return nccl_bridge::create(std::move(mpi), *backend, config.timeout_s);
  return mpi;
#else
  (void)config;
  (void)heartbeat_dir;
  (void)backend;
  fail_hint("rebuild with OpenMPI installed (scripts/setup.sh) and -DDSMATH_WITH_MPI=ON, or run one process",
            "launched as one of {} ranks, but this dsmath was built without MPI", world);
#endif
}

void abort_job_if_distributed(int exit_code) {
#ifdef DSMATH_HAVE_MPI
  mpi_abort_if_running(exit_code);
#else
  (void)exit_code;
#endif
}

}  // namespace dsmath
