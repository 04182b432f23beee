// Linked when dsmath is built without CUDA or without NCCL (see dist/nccl_bridge.hpp).
#include "core/error.hpp"
#include "dist/nccl_bridge.hpp"

namespace dsmath::nccl_bridge {

bool available_in_build() { return false; }

std::unique_ptr<Communicator> create(std::unique_ptr<Communicator>, const Backend&, double) {
  fail_hint("install NCCL (or set NCCL_HOME) and rebuild, or run the CPU backend under MPI",
            "several GPU ranks need NCCL, and this dsmath was built without it");
}

}  // namespace dsmath::nccl_bridge
