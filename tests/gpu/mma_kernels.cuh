#pragma once
// Kernels that exercise cuda/mma.cuh on one warp, so that its fragment layouts are checked
// against a host product (tests/gpu/test_gpu_mma.cpp): on a GPU against the hardware, on the
// emulated GPU against the emulation of the PTX ISA's layouts.
#include <cuda_runtime.h>

#include <cstdint>

namespace dsmath::test::mma_kernels {

// How the kernel gets its operands.
enum class Operands {
  ldmatrix,           // A and B^T (N x K, row-major) by ldmatrix_x4 from shared memory
  ldmatrix_trans,     // A by ldmatrix_x4, B (K x N, row-major) by ldmatrix_x4_trans
  registers,          // each lane builds its A and B registers from global memory by the documented layout
};

// d[16 x 16] (f32, row-major) = a[16 x 16] b[16 x 16] + c, one warp; a row-major bf16; b bf16,
// K x N row-major, or N x K row-major (b transposed) for Operands::ldmatrix. The operands reach
// shared memory through cp_async16.
void product(float* d, const void* a, const void* b, const float* c, Operands how, cudaStream_t stream);

// out[i] = the 16 bytes at i of a shared buffer read right after cp_async16(src) and a commit but
// before the wait (lanes 0-3: 64 bytes), then again after cp_async_wait<0>: out[64 + i].
void read_before_wait(unsigned char* out, const unsigned char* src, cudaStream_t stream);

}  // namespace dsmath::test::mma_kernels
