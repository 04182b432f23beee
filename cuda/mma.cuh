#pragma once
// Warp-level tensor-core instructions as small wrappers: mma.sync m16n8k16 (bf16 operands, f32
// accumulators), ldmatrix (8 x 8 b16 matrices from shared memory into registers, optionally
// transposed) and cp.async (16-byte global -> shared copies that complete at a wait). An nvcc
// build emits the PTX instructions themselves; an emulated build runs them on the emulated GPU
// with the PTX ISA's per-lane fragment layouts (cuda/emu/mma.hpp states them), so that a kernel
// written against the layouts is checked there. FlashAttention-2 (Dao, 2023) is built from these
// three: register-resident accumulators, operands fetched by ldmatrix, tiles prefetched by
// cp.async. Included only by .cu files.
#include <cuda_bf16.h>

#include <cstdint>

#ifdef DSMATH_CUDA_EMULATION
#include "cuda/emu/mma.hpp"
#include "cuda/emu/thread_block.hpp"
#endif

namespace dsmath::cuda::mma {

// Two bf16 (rounded to nearest) in one register, `lo` in the low half: an A or B fragment register.
__device__ __forceinline__ uint32_t pack_bf16x2(float lo, float hi) {
  const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);  // .x (low half) = lo
  uint32_t r;
  memcpy(&r, &v, sizeof(r));
  return r;
}

// d += a b for one 16 x 8 tile: a 16 x 16 (4 registers), b 16 x 8 (2 registers), d 16 x 8 f32.
__device__ __forceinline__ void mma_16816(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
#ifdef DSMATH_CUDA_EMULATION
  emu::mma_m16n8k16_bf16(d, a, b, d);
#else
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

// Four 8 x 8 matrices: lane l passes the address of row l % 8 of matrix l / 8 (16 bytes, aligned).
__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* row_address) {
#ifdef DSMATH_CUDA_EMULATION
  emu::ldmatrix(r, 4, false, row_address);
#else
  const unsigned a = static_cast<unsigned>(__cvta_generic_to_shared(row_address));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(a));
#endif
}
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const void* row_address) {
#ifdef DSMATH_CUDA_EMULATION
  emu::ldmatrix(r, 4, true, row_address);
#else
  const unsigned a = static_cast<unsigned>(__cvta_generic_to_shared(row_address));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(a));
#endif
}

// 16 bytes from global `src` to shared `dst`, of which the first `src_bytes` (0 or 16) are read
// and the rest zero-filled; lands at the cp_async_wait that covers its commit group.
__device__ __forceinline__ void cp_async16(void* dst, const void* src, int src_bytes) {
#ifdef DSMATH_CUDA_EMULATION
  emu::async_copy16(dst, src, src_bytes);
#else
  const unsigned d = static_cast<unsigned>(__cvta_generic_to_shared(dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src), "r"(src_bytes) : "memory");
#endif
}
__device__ __forceinline__ void cp_async_commit() {
#ifdef DSMATH_CUDA_EMULATION
  emu::async_commit();
#else
  asm volatile("cp.async.commit_group;\n" ::: "memory");
#endif
}
// Waits until at most `N` of this thread's committed groups are still in flight.
template <int N>
__device__ __forceinline__ void cp_async_wait() {
#ifdef DSMATH_CUDA_EMULATION
  emu::async_wait(N);
#else
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
#endif
}

}  // namespace dsmath::cuda::mma
