#pragma once
// The seam between the library and cuda/: the CUDA backend is built only when nvcc is found,
// and this header is all the rest of the code sees of it. Without CUDA, backend/cuda_absent.cpp
// provides the same functions reporting that no GPU can be used.
#include <memory>
#include <string>

#include "backend/backend.hpp"

namespace dsmath::cuda_bridge {

bool available_in_build();
// True in a build for the emulated GPU (DSMATH_CUDA_EMULATION): a test device on the CPU, used
// only when asked for by name (--device cuda), never by --device auto.
bool emulated();
// GPUs the runtime can use; any CUDA error (no driver, stub library) counts as none.
int device_count();
// Why device_count() is 0, for messages.
std::string no_device_reason();
// device < 0: pick by local rank (OMPI_COMM_WORLD_LOCAL_RANK / SLURM_LOCALID), else 0.
std::unique_ptr<Backend> create(int device);

}  // namespace dsmath::cuda_bridge
