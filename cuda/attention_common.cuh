#pragma once
// Pieces shared by the flash-attention forward and backward kernels: tile geometry, the
// loading of head tiles from the fused QKV rows into shared memory, and the visibility mask.
// Tiles are 64 queries x 64 keys; the tensor-core products use WMMA 16x16x16 bf16 fragments
// with fp32 accumulation, staged through shared memory so that the softmax sees plain rows.
#include <mma.h>

#include "backend/backend.hpp"
#include "cuda/common.cuh"

namespace dsmath::cuda::attention {

constexpr int kBlockRows = 64;  // queries per block (forward, dQ) = keys per tile
constexpr int kWarps = 4;       // each warp owns 16 rows of a 64-row tile
constexpr int kThreads = kWarps * 32;
constexpr int kLdS = kBlockRows + 4;  // fp32 score tile row stride (floats)
constexpr int kLdP = kBlockRows + 8;  // bf16 probability tile row stride (elements)
constexpr float kLog2e = 1.4426950408889634f;

template <int D>
struct HeadTile {
  static constexpr int kLd = D + 8;  // bf16 row stride: 16-byte rows offset by one bank group
  static constexpr size_t kBytes = size_t(kBlockRows) * kLd * sizeof(bf16);
};
constexpr size_t kScoreBytes = size_t(kBlockRows) * kLdS * sizeof(float);
constexpr size_t kProbBytes = size_t(kBlockRows) * kLdP * sizeof(bf16);

using FragA = nvcuda::wmma::fragment<nvcuda::wmma::matrix_a, 16, 16, 16, bf16, nvcuda::wmma::row_major>;
using FragAT = nvcuda::wmma::fragment<nvcuda::wmma::matrix_a, 16, 16, 16, bf16, nvcuda::wmma::col_major>;
using FragBRow = nvcuda::wmma::fragment<nvcuda::wmma::matrix_b, 16, 16, 16, bf16, nvcuda::wmma::row_major>;
using FragBCol = nvcuda::wmma::fragment<nvcuda::wmma::matrix_b, 16, 16, 16, bf16, nvcuda::wmma::col_major>;
using FragAcc = nvcuda::wmma::fragment<nvcuda::wmma::accumulator, 16, 16, 16, float>;

// Copies 64 rows of one head (D bf16 each, row t at base + t * stride) starting at token
// `first` of a sequence of `seq` into a shared tile; rows past the end are zero. All threads
// of the block take part; the caller synchronizes.
template <int D>
__device__ __forceinline__ void load_head_tile(bf16* tile, const bf16* __restrict__ base, int64_t stride, int first,
                                               int seq) {
  constexpr int kVecs = D / 8;
  for (int i = threadIdx.x; i < kBlockRows * kVecs; i += kThreads) {
    const int r = i / kVecs, v = i - r * kVecs;
    uint4 word = make_uint4(0, 0, 0, 0);
    if (first + r < seq) word = load16(base + static_cast<int64_t>(first + r) * stride + v * 8);
    store16(tile + r * HeadTile<D>::kLd + v * 8, word);
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

// S[16 x 64] = A[16 x D] B^T for the warp's 16 rows: A rows from a shared head tile (row
// offset row0), B the 64 rows of another head tile; written to the fp32 score tile rows row0..
template <int D>
__device__ __forceinline__ void scores_to_shared(float* s_tile, const bf16* a_tile, const bf16* b_tile, int row0) {
  using namespace nvcuda;
  constexpr int kLd = HeadTile<D>::kLd;
#pragma unroll
  for (int n = 0; n < kBlockRows / 16; ++n) {
    FragAcc acc;
    wmma::fill_fragment(acc, 0.0f);
#pragma unroll
    for (int k = 0; k < D / 16; ++k) {
      FragA a;
      FragBCol b;  // B^T as a column-major operand: element (d, key) at b_tile[key * kLd + d]
      wmma::load_matrix_sync(a, a_tile + row0 * kLd + k * 16, kLd);
      wmma::load_matrix_sync(b, b_tile + n * 16 * kLd + k * 16, kLd);
      wmma::mma_sync(acc, a, b, acc);
    }
    wmma::store_matrix_sync(s_tile + row0 * kLdS + n * 16, acc, kLdS, wmma::mem_row_major);
  }
}

}  // namespace dsmath::cuda::attention
