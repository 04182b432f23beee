// How dsmath learns its world size and local rank from the launcher's environment: the
// contract scripts/slurm relies on (docs/distributed.md, "What each launcher sets").
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "dist/launch.hpp"

using namespace dsmath;

namespace {
// Every variable launch.cpp reads; a scope starts with all of them unset and restores them.
const char* const kLaunchVariables[] = {"OMPI_COMM_WORLD_SIZE",       "PMI_SIZE",        "PMIX_SIZE",
                                        "MV2_COMM_WORLD_SIZE",        "SLURM_STEP_ID",   "SLURM_NTASKS",
                                        "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "MV2_COMM_WORLD_LOCAL_RANK",
                                        "SLURM_LOCALID"};

class LaunchEnvironment {
 public:
  LaunchEnvironment() {
    for (const char* name : kLaunchVariables) {
      if (const char* v = std::getenv(name)) saved_[name] = v;
      else saved_[name] = std::nullopt;
      ::unsetenv(name);
    }
  }
  ~LaunchEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }
  LaunchEnvironment& set(const char* name, const char* value) {
    ::setenv(name, value, 1);
    return *this;
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};
}  // namespace

TEST_CASE("a process started alone is one rank on GPU 0", "[dist]") {
  LaunchEnvironment env;
  CHECK(launched_world_size() == 1);
  CHECK(launched_local_rank() == 0);
}

TEST_CASE("mpirun's environment gives the world size and the local rank", "[dist]") {
  SECTION("Open MPI") {
    LaunchEnvironment env;
    env.set("OMPI_COMM_WORLD_SIZE", "16").set("OMPI_COMM_WORLD_LOCAL_RANK", "3");
    CHECK(launched_world_size() == 16);
    CHECK(launched_local_rank() == 3);
  }
  SECTION("MPICH / Intel MPI (Hydra)") {
    LaunchEnvironment env;
    env.set("PMI_SIZE", "4").set("MPI_LOCALRANKID", "2");
    CHECK(launched_world_size() == 4);
    CHECK(launched_local_rank() == 2);
  }
}

TEST_CASE("SLURM_NTASKS counts only inside an srun step", "[dist]") {
  LaunchEnvironment env;
  // the batch script of a 64-task allocation is one process, not one of 64 ranks
  env.set("SLURM_NTASKS", "64").set("SLURM_LOCALID", "5");
  CHECK(launched_world_size() == 1);
  env.set("SLURM_STEP_ID", "0");
  CHECK(launched_world_size() == 64);
  CHECK(launched_local_rank() == 5);
  // the MPI launcher's own variables win when both are present (mpirun inside an allocation)
  env.set("OMPI_COMM_WORLD_SIZE", "8").set("OMPI_COMM_WORLD_LOCAL_RANK", "1");
  CHECK(launched_world_size() == 8);
  CHECK(launched_local_rank() == 1);
}

TEST_CASE("unreadable launcher values are ignored, not trusted", "[dist]") {
  LaunchEnvironment env;
  env.set("OMPI_COMM_WORLD_SIZE", "many").set("OMPI_COMM_WORLD_LOCAL_RANK", "").set("PMI_SIZE", "0");
  CHECK(launched_world_size() == 1);
  CHECK(launched_local_rank() == 0);
}
