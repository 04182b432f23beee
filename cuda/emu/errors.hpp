#pragma once
// The emulated runtime's error state, kept as CUDA keeps it: each host thread's last error
// (cudaGetLastError returns and clears it, cudaPeekAtLastError only returns it), and a sticky
// error once a kernel faults or a stream race is found, which every later call returns, as a
// real context is unusable after a fault. Each error carries a detail (the emulator's finding);
// cudaGetErrorString appends it, so messages built by cuda/check.cpp name what went wrong.
#include <cuda_runtime_api.h>

#include <string>

namespace dsmath::emu {

// Records `e` (not cudaSuccess) as the calling thread's last error, with its detail; returns e.
cudaError_t set_error(cudaError_t e, const std::string& detail);
// Makes the device unusable from now on; the detail is also printed to stderr at once.
cudaError_t set_sticky_error(cudaError_t e, const std::string& detail);
// cudaSuccess, or the sticky error.
cudaError_t sticky_error();
cudaError_t take_last_error();
cudaError_t peek_last_error();

// The CUDA description of `e`, and the emulator's detail when `e` is the latest error.
const char* error_string(cudaError_t e);
const char* error_name(cudaError_t e);

}  // namespace dsmath::emu
