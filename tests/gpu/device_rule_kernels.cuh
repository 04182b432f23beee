#pragma once
// Kernels that probe the GPU's rules rather than compute anything useful: each is launched with
// a configuration the caller picks, or does one thing the hardware forbids. Both a GPU and the
// emulated GPU must refuse or report each the same way (tests/gpu/test_gpu_device_rules.cpp).
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace dsmath::test::rules {

// out[i] = i for i < n (grid-stride), touching the first byte of `dynamic_smem` bytes of dynamic
// shared memory in every block.
void fill_index(int* out, int64_t n, dim3 grid, dim3 block, size_t dynamic_smem, cudaStream_t stream);
// cudaFuncSetAttribute(MaxDynamicSharedMemorySize) for fill_index's kernel
cudaError_t allow_dynamic_smem(size_t bytes);
// one 16-byte vector copy from src to dst (by one thread)
void vector_copy(void* dst, const void* src, cudaStream_t stream);
// out[t] = in[n - 1 - t] through shared memory, one block of n <= 256 threads; without the
// barrier between the write and the read, threads read slots not yet written
void block_reverse(int* out, const int* in, int n, bool with_barrier, cudaStream_t stream);
// lanes 0-15 of one warp shuffle with the full mask while lanes 16-31 wait at __syncthreads:
// neither can complete
void divergent_barrier(int* out, cudaStream_t stream);
// lanes 16-31 return; lanes 0-15 then shuffle with the full mask
void shuffle_after_exit(int* out, cudaStream_t stream);

// one thread writes out[n], one element past a buffer of n
void write_past_end(int* out, int n, cudaStream_t stream);

}  // namespace dsmath::test::rules
