#pragma once
// Pieces shared by the flash-attention forward and backward kernels (FlashAttention-2, Dao 2023):
// tile geometry, the cp.async loading of head tiles from the fused QKV rows into shared memory,
// the visibility mask, and the two tile products every kernel is made of, on mma.sync m16n8k16
// with operands fetched by ldmatrix (cuda/mma.cuh).
//
// A warp owns 16 rows of a 64-row tile. Its accumulators follow the m16n8 C layout
// (cuda/emu/mma.hpp): lane (g = lane / 4, tid = lane % 4) holds, of every 8-column block n,
// rows g (elements 0, 1) and g + 8 (elements 2, 3) at columns 8 n + 2 tid and 8 n + 2 tid + 1.
// Two adjacent 8-column blocks of that layout are, packed to bf16, the A operand of the next
// product (16 x 16), so P and dS never leave registers.
#include "backend/backend.hpp"
#include "cuda/common.cuh"
#include "cuda/mma.cuh"
#include "cuda/rope.cuh"

namespace dsmath::cuda::attention {

constexpr int kBlockRows = 64;  // queries per block (forward, dQ) = keys per block (dK, dV) = tile rows
constexpr int kWarps = 4;       // each warp owns 16 rows of a 64-row tile
constexpr int kThreads = kWarps * 32;
constexpr float kLog2e = 1.4426950408889634f;

template <int D>
struct HeadTile {
  static constexpr int kLd = D + 8;  // bf16 row stride: rows 16 bytes apart in bank groups, so ldmatrix's 8 rows hit 8 groups
  static constexpr int kElems = kBlockRows * kLd;
  static constexpr size_t kBytes = size_t(kElems) * sizeof(bf16);
};

// Copies 64 rows of one head (D bf16 each, row t at base + t * stride) starting at token `first`
// of a sequence of `seq` into a shared tile through cp.async; rows past the end are zero-filled.
// Every thread of the block takes part; the copies land at the cp_async_wait covering the
// caller's next commit, and are the block's after a __syncthreads that follows it.
template <int D>
__device__ __forceinline__ void async_load_head_tile(bf16* tile, const bf16* __restrict__ base, int64_t stride,
                                                     int first, int seq) {
  constexpr int kVecs = D / 8;
  for (int i = threadIdx.x; i < kBlockRows * kVecs; i += kThreads) {
    const int r = i / kVecs, v = i - r * kVecs;
    const bool inside = first + r < seq;
    const bf16* src = inside ? base + static_cast<int64_t>(first + r) * stride + v * 8 : base;  // not read outside
    mma::cp_async16(tile + r * HeadTile<D>::kLd + v * 8, src, inside ? 16 : 0);
  }
}

// Segment ids of 64 tokens from `first` (or `missing` past the end / without segments).
__device__ __forceinline__ void load_segments(int* dst, const int32_t* __restrict__ seg, int64_t row0, int first, int seq,
                                              int missing) {
  for (int i = threadIdx.x; i < kBlockRows; i += kThreads)
    dst[i] = (seg != nullptr && first + i < seq) ? seg[row0 + first + i] : missing;
}

// Causal, inside the sequence, and (with segment ids) inside the query's document.
__device__ __forceinline__ bool visible(int query, int key, int seq, int seg_q, int seg_k) {
  return key <= query && key < seq && query < seq && seg_q == seg_k;
}

// The calling lane's ldmatrix row address in a shared tile (row stride kLd), relative to the tile
// row the operand starts at, for the three ways the kernels fetch operands:
struct LaneOffsets {
  int a;   // A = 16 rows x 16 columns (ldmatrix .x4: rows 0-15 at column 0, then at column 8)
  int bt;  // B = 16 rows^T: two 8-row blocks as the n of B, 16 columns as its k
  int b;   // B = 16 rows x 16 columns as k x n (.trans): two 8-column blocks as the n of B
};
template <int kLd>
__device__ __forceinline__ LaneOffsets lane_offsets() {
  const int lane = threadIdx.x & 31, m = lane >> 3, row = lane & 7;  // lane names row `row` of matrix m
  return {(lane & 15) * kLd + (lane >> 4) * 8, ((m >> 1) * 8 + row) * kLd + (m & 1) * 8,
          ((m & 1) * 8 + row) * kLd + (m >> 1) * 8};
}

// acc[n] += A B^T over the D columns: A = the warp's 16 rows of one tile (a_lane: the lane's
// `a` address at the first row), B = kBlocks x 8 rows of another (b_lane: its `bt` address at
// the first row). S = Q K^T, S^T = K Q^T, dP = dO V^T and dP^T = V dO^T.
template <int D, int kBlocks>
__device__ __forceinline__ void rows_times_rows_t(float (&acc)[kBlocks][4], const bf16* a_lane, const bf16* b_lane) {
  constexpr int kLd = HeadTile<D>::kLd;
#pragma unroll
  for (int ks = 0; ks < D / 16; ++ks) {
    uint32_t fa[4];
    mma::ldmatrix_x4(fa, a_lane + ks * 16);
#pragma unroll
    for (int pair = 0; pair < kBlocks / 2; ++pair) {
      uint32_t fb[4];
      mma::ldmatrix_x4(fb, b_lane + pair * 16 * kLd + ks * 16);
      const uint32_t b0[2] = {fb[0], fb[1]}, b1[2] = {fb[2], fb[3]};
      mma::mma_16816(acc[2 * pair], fa, b0);
      mma::mma_16816(acc[2 * pair + 1], fa, b1);
    }
  }
}

// acc[n] += P B over the D / 8 column blocks: P = 16 rows x 16 kSteps columns in A registers,
// B = 16 kSteps rows of a tile (b_lane: the lane's `b` address at the first row). O += P V,
// dV += P^T dO, dK += dS^T Q, dQ += dS K.
template <int D, int kSteps>
__device__ __forceinline__ void regs_times_rows(float (&acc)[D / 8][4], const uint32_t (&p)[kSteps][4],
                                                const bf16* b_lane) {
  constexpr int kLd = HeadTile<D>::kLd;
#pragma unroll
  for (int dp = 0; dp < D / 16; ++dp)
#pragma unroll
    for (int kk = 0; kk < kSteps; ++kk) {
      uint32_t fb[4];
      mma::ldmatrix_x4_trans(fb, b_lane + kk * 16 * kLd + dp * 16);
      const uint32_t b0[2] = {fb[0], fb[1]}, b1[2] = {fb[2], fb[3]};
      mma::mma_16816(acc[2 * dp], p[kk], b0);
      mma::mma_16816(acc[2 * dp + 1], p[kk], b1);
    }
}

// An accumulator strip (C layout, kBlocks x 8 columns) as bf16 A registers: blocks 2 kk and
// 2 kk + 1 are A's columns 0-7 (registers 0, 1) and 8-15 (registers 2, 3).
template <int kBlocks>
__device__ __forceinline__ void to_a_operand(uint32_t (&a)[kBlocks / 2][4], const float (&acc)[kBlocks][4]) {
#pragma unroll
  for (int n = 0; n < kBlocks; ++n) {
    a[n / 2][(n & 1) * 2] = mma::pack_bf16x2(acc[n][0], acc[n][1]);
    a[n / 2][(n & 1) * 2 + 1] = mma::pack_bf16x2(acc[n][2], acc[n][3]);
  }
}

template <int kBlocks>
__device__ __forceinline__ void zero(float (&acc)[kBlocks][4]) {
#pragma unroll
  for (int n = 0; n < kBlocks; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.0f;
}

// Writes the lane's elements of a D-column strip as bf16: rows `token_lo` and `token_hi` (g and
// g + 8 of the warp's rows, skipped past `seq`) of the head at dst (row t at dst + t * stride),
// each scaled by its factor.
template <int D>
__device__ __forceinline__ void store_strip(bf16* __restrict__ dst, int64_t stride, const float (&acc)[D / 8][4],
                                            int token_lo, int token_hi, int seq, float scale_lo = 1.0f,
                                            float scale_hi = 1.0f) {
  const int tid = threadIdx.x & 3;
#pragma unroll
  for (int half = 0; half < 2; ++half) {
    const int token = half == 0 ? token_lo : token_hi;
    if (token >= seq) continue;
    const float scale = half == 0 ? scale_lo : scale_hi;
    bf16* row = dst + static_cast<int64_t>(token) * stride + 2 * tid;
#pragma unroll
    for (int n = 0; n < D / 8; ++n)
      *reinterpret_cast<__nv_bfloat162*>(row + n * 8) =
          __floats2bfloat162_rn(acc[n][2 * half] * scale, acc[n][2 * half + 1] * scale);
  }
}

// RoPE's backward folded into the store of dQ and dK (Backend::attention_backward's RopeFold).
struct RopeUnrotate {
  const int32_t* positions;  // per token of the batch (b * seq + t); null: no rotation
  RopeInvFreq inv_freq;
};

// Rotates the lane's elements of a D-column strip back through RoPE: pair i < D/2 of a row is
// columns i and i + D/2, in the C layout the same element of blocks n and n + D/16 of this very
// lane, so no data moves: (d1, d2) -> (d1 cos + d2 sin, d2 cos - d1 sin) at the angle position *
// inv_freq[i] the rope kernel uses. Rows `token_lo`/`token_hi` of the sequence starting at flat
// token row0; rows past `seq` are left alone (store_strip skips them).
template <int D>
__device__ __forceinline__ void unrotate_strip(float (&acc)[D / 8][4], const RopeUnrotate& r, int64_t row0, int token_lo,
                                               int token_hi, int seq) {
  if (r.positions == nullptr) return;
  const int tid = threadIdx.x & 3;
  const float pos_lo = token_lo < seq ? static_cast<float>(r.positions[row0 + token_lo]) : 0.0f;
  const float pos_hi = token_hi < seq ? static_cast<float>(r.positions[row0 + token_hi]) : 0.0f;
#pragma unroll
  for (int n = 0; n < D / 16; ++n)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      float sn, cs;
      sincosf((e < 2 ? pos_lo : pos_hi) * r.inv_freq.v[8 * n + 2 * tid + (e & 1)], &sn, &cs);
      const float d1 = acc[n][e], d2 = acc[n + D / 16][e];
      acc[n][e] = d1 * cs + d2 * sn;
      acc[n + D / 16][e] = d2 * cs - d1 * sn;
    }
}

}  // namespace dsmath::cuda::attention
