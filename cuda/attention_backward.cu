#include <cmath>

#include "cuda/attention_backward.cuh"
#include "cuda/attention_common.cuh"
#include "cuda/check.cuh"
#include "cuda/launch.cuh"

namespace dsmath::cuda {

namespace {
using namespace attention;

// D[b, h, t] = dout . out over the head (fp32), one warp per (token, head)
__global__ void attention_delta_kernel(float* __restrict__ delta, const bf16* __restrict__ dout,
                                       const bf16* __restrict__ out, AttentionShape s) {
  const int64_t warp_id = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) >> 5;
  const int lane = threadIdx.x & 31;
  const int64_t total = static_cast<int64_t>(s.batch) * s.seq * s.n_heads;
  if (warp_id >= total) return;
  const int h = static_cast<int>(warp_id % s.n_heads);
  const int64_t token = warp_id / s.n_heads;  // b * seq + t
  const bf16* a = dout + token * s.out_stride + static_cast<int64_t>(h) * s.head_dim;
  const bf16* o = out + token * s.out_stride + static_cast<int64_t>(h) * s.head_dim;
  float acc = 0.0f;
  for (int d = lane; d < s.head_dim; d += 32) acc += __bfloat162float(a[d]) * __bfloat162float(o[d]);
  acc = warp_sum(acc);
  if (lane == 0) {
    const int64_t b = token / s.seq, t = token - b * s.seq;
    delta[(b * s.n_heads + h) * s.seq + t] = acc;
  }
}

template <int D>
struct BackwardSmem {
  static constexpr size_t tile0 = 0;  // dKdV: K; dQ: Q
  static constexpr size_t tile1 = tile0 + HeadTile<D>::kBytes;  // dKdV: V; dQ: dout
  static constexpr size_t tile2 = tile1 + HeadTile<D>::kBytes;  // dKdV: Q; dQ: K
  static constexpr size_t tile3 = tile2 + HeadTile<D>::kBytes;  // dKdV: dout; dQ: V
  static constexpr size_t s = tile3 + HeadTile<D>::kBytes;      // fp32 S, then dP
  static constexpr size_t p = s + kScoreBytes;                  // bf16 P (dKdV only)
  static constexpr size_t ds = p + kProbBytes;                  // bf16 dS
  static constexpr size_t lse = ds + kProbBytes;                // per query row, log2 units
  static constexpr size_t delta = lse + kBlockRows * sizeof(float);
  static constexpr size_t seg_q = delta + kBlockRows * sizeof(float);
  static constexpr size_t seg_k = seg_q + kBlockRows * sizeof(int);
  static constexpr size_t bytes = seg_k + kBlockRows * sizeof(int);
};

// The shared-memory tiles of both backward kernels, carved from the dynamic allocation.
template <int D>
struct BackwardTiles {
  bf16 *tile0, *tile1, *tile2, *tile3, *p, *ds;
  float *s, *lse, *delta;
  int *seg_q, *seg_k;

  __device__ explicit BackwardTiles(unsigned char* smem) {
    using L = BackwardSmem<D>;
    tile0 = reinterpret_cast<bf16*>(smem + L::tile0);
    tile1 = reinterpret_cast<bf16*>(smem + L::tile1);
    tile2 = reinterpret_cast<bf16*>(smem + L::tile2);
    tile3 = reinterpret_cast<bf16*>(smem + L::tile3);
    s = reinterpret_cast<float*>(smem + L::s);
    p = reinterpret_cast<bf16*>(smem + L::p);
    ds = reinterpret_cast<bf16*>(smem + L::ds);
    lse = reinterpret_cast<float*>(smem + L::lse);
    delta = reinterpret_cast<float*>(smem + L::delta);
    seg_q = reinterpret_cast<int*>(smem + L::seg_q);
    seg_k = reinterpret_cast<int*>(smem + L::seg_k);
  }
};

// Per-query-row statistics of a query tile: lse (scaled to log2 units) and D; 0 past the end.
__device__ __forceinline__ void load_row_stats(float* s_lse, float* s_delta, const float* __restrict__ lse,
                                               const float* __restrict__ delta, int64_t stats_row0, int q0, int seq) {
  for (int i = threadIdx.x; i < kBlockRows; i += kThreads) {
    const bool in = q0 + i < seq;
    s_lse[i] = in ? lse[stats_row0 + q0 + i] * kLog2e : 0.0f;
    s_delta[i] = in ? delta[stats_row0 + q0 + i] : 0.0f;
  }
}

// For the warp's lanes (2 per row, 32 columns each) of the score tile: P = exp(S - lse), masked.
__device__ __forceinline__ void probabilities(float (&p)[32], const float* sS, int r, int half, int query, int k0, int seq,
                                              const int* seg_q, const int* seg_k, float scale2, float lse2) {
  const float* srow = sS + r * kLdS + half * 32;
#pragma unroll
  for (int j = 0; j < 32; ++j) {
    const int c = half * 32 + j;
    p[j] = visible(query, k0 + c, seq, seg_q[r], seg_k[c]) ? exp2f(srow[j] * scale2 - lse2) : 0.0f;
  }
}

// dS = P (dP - D) * scale from the dP tile now in sS, as bf16 into ds_tile
__device__ __forceinline__ void score_gradients(bf16* ds_tile, const float (&p)[32], const float* sS, int r, int half,
                                                float delta, float scale) {
  const float* dprow = sS + r * kLdS + half * 32;
  bf16* dsrow = ds_tile + r * kLdP + half * 32;
#pragma unroll
  for (int j = 0; j < 32; ++j) dsrow[j] = __float2bfloat16_rn(p[j] * (dprow[j] - delta) * scale);
}

// Writes a warp's 16 x D accumulator strip (fragments acc[D/16]) as bf16 rows of dqkv through
// the warp's 16 rows of the fp32 staging tile.
template <int D>
__device__ __forceinline__ void store_strip(FragAcc (&acc)[D / 16], float* staging, int wrow0, bf16* __restrict__ dst_base,
                                            int64_t stride, int first_row, int seq) {
  using namespace nvcuda;
  const int lane = threadIdx.x & 31;
#pragma unroll
  for (int n = 0; n < D / 16; ++n) {
    wmma::store_matrix_sync(staging + wrow0 * kLdS, acc[n], kLdS, wmma::mem_row_major);
    __syncwarp();
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      const int idx = lane * 8 + j, row = idx / 16, col = idx % 16;
      const int token = first_row + wrow0 + row;
      if (token < seq)
        dst_base[static_cast<int64_t>(token) * stride + n * 16 + col] =
            __float2bfloat16_rn(staging[(wrow0 + row) * kLdS + col]);
    }
    __syncwarp();
  }
}

// dK, dV of one key tile of one kv head: walks every query head of the group and every query
// tile at or after the key tile.
template <int D>
__global__ void __launch_bounds__(kThreads, 2)
    flash_backward_dkdv_kernel(bf16* __restrict__ dqkv, const bf16* __restrict__ dout, const bf16* __restrict__ qkv,
                               const float* __restrict__ lse, const float* __restrict__ delta,
                               const int32_t* __restrict__ seg, AttentionShape s) {
  using namespace nvcuda;
  constexpr int kLd = HeadTile<D>::kLd;
  DSMATH_DYNAMIC_SHARED(unsigned char, smem);
  const BackwardTiles<D> tiles(smem);
  bf16 *sK = tiles.tile0, *sV = tiles.tile1, *sQ = tiles.tile2, *sdO = tiles.tile3, *sP = tiles.p, *sdS = tiles.ds;
  float *sS = tiles.s, *s_lse = tiles.lse, *s_delta = tiles.delta;
  int *seg_q = tiles.seg_q, *seg_k = tiles.seg_k;

  const int kb = blockIdx.x;  // the first key tiles see the most query tiles: they start first
  const int kvh = blockIdx.y, b = blockIdx.z;
  const int T = s.seq, group = s.n_heads / s.n_kv_heads;
  const int k0 = kb * kBlockRows;
  const int n_q_tiles = (T + kBlockRows - 1) / kBlockRows;
  const int64_t row0 = static_cast<int64_t>(b) * T;
  const int64_t k_col = static_cast<int64_t>(s.n_heads + kvh) * D;
  const int64_t v_col = static_cast<int64_t>(s.n_heads + s.n_kv_heads + kvh) * D;
  load_head_tile<D>(sK, qkv + row0 * s.qkv_stride + k_col, s.qkv_stride, k0, T);
  load_head_tile<D>(sV, qkv + row0 * s.qkv_stride + v_col, s.qkv_stride, k0, T);
  load_segments(seg_k, seg, row0, k0, T, 0);

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int wrow0 = warp * 16;
  const int r = wrow0 + (lane >> 1), half = lane & 1;
  const float scale2 = s.scale * kLog2e;

  FragAcc dk[D / 16], dv[D / 16];
#pragma unroll
  for (int n = 0; n < D / 16; ++n) {
    wmma::fill_fragment(dk[n], 0.0f);
    wmma::fill_fragment(dv[n], 0.0f);
  }

  for (int h = kvh * group; h < (kvh + 1) * group; ++h) {
    const int64_t stats_row0 = (static_cast<int64_t>(b) * s.n_heads + h) * T;
    for (int qb = kb; qb < n_q_tiles; ++qb) {
      const int q0 = qb * kBlockRows;
      __syncthreads();  // the previous query tile is no longer read
      load_head_tile<D>(sQ, qkv + row0 * s.qkv_stride + static_cast<int64_t>(h) * D, s.qkv_stride, q0, T);
      load_head_tile<D>(sdO, dout + row0 * s.out_stride + static_cast<int64_t>(h) * D, s.out_stride, q0, T);
      load_row_stats(s_lse, s_delta, lse, delta, stats_row0, q0, T);
      load_segments(seg_q, seg, row0, q0, T, 0);
      __syncthreads();

      // phase 1, rows = queries (warp's 16): P and dS
      scores_to_shared<D>(sS, sQ, sK, wrow0);
      __syncwarp();
      float p[32];
      probabilities(p, sS, r, half, q0 + r, k0, T, seg_q, seg_k, scale2, s_lse[r]);
      bf16* prow = sP + r * kLdP + half * 32;
#pragma unroll
      for (int j = 0; j < 32; ++j) prow[j] = __float2bfloat16_rn(p[j]);
      __syncwarp();
      scores_to_shared<D>(sS, sdO, sV, wrow0);  // dP = dout V^T
      __syncwarp();
      score_gradients(sdS, p, sS, r, half, s_delta[r], s.scale);
      __syncthreads();

      // phase 2, rows = keys (warp's 16): dV += P^T dout, dK += dS^T Q
      FragAT pt[kBlockRows / 16], dst[kBlockRows / 16];
#pragma unroll
      for (int kk = 0; kk < kBlockRows / 16; ++kk) {
        wmma::load_matrix_sync(pt[kk], sP + kk * 16 * kLdP + wrow0, kLdP);
        wmma::load_matrix_sync(dst[kk], sdS + kk * 16 * kLdP + wrow0, kLdP);
      }
#pragma unroll
      for (int n = 0; n < D / 16; ++n) {
#pragma unroll
        for (int kk = 0; kk < kBlockRows / 16; ++kk) {
          FragBRow bo, bq;
          wmma::load_matrix_sync(bo, sdO + kk * 16 * kLd + n * 16, kLd);
          wmma::mma_sync(dv[n], pt[kk], bo, dv[n]);
          wmma::load_matrix_sync(bq, sQ + kk * 16 * kLd + n * 16, kLd);
          wmma::mma_sync(dk[n], dst[kk], bq, dk[n]);
        }
      }
    }
  }
  __syncthreads();  // sS becomes the staging area of each warp's strips
  store_strip<D>(dk, sS, wrow0, dqkv + row0 * s.qkv_stride + k_col, s.qkv_stride, k0, T);
  store_strip<D>(dv, sS, wrow0, dqkv + row0 * s.qkv_stride + v_col, s.qkv_stride, k0, T);
}

// dQ of one query tile of one head: walks the key tiles up to the diagonal.
template <int D>
__global__ void __launch_bounds__(kThreads, 2)
    flash_backward_dq_kernel(bf16* __restrict__ dqkv, const bf16* __restrict__ dout, const bf16* __restrict__ qkv,
                             const float* __restrict__ lse, const float* __restrict__ delta,
                             const int32_t* __restrict__ seg, AttentionShape s) {
  using namespace nvcuda;
  constexpr int kLd = HeadTile<D>::kLd;
  DSMATH_DYNAMIC_SHARED(unsigned char, smem);
  const BackwardTiles<D> tiles(smem);
  bf16 *sQ = tiles.tile0, *sdO = tiles.tile1, *sK = tiles.tile2, *sV = tiles.tile3, *sdS = tiles.ds;
  float *sS = tiles.s, *s_lse = tiles.lse, *s_delta = tiles.delta;
  int *seg_q = tiles.seg_q, *seg_k = tiles.seg_k;

  const int qb = gridDim.x - 1 - blockIdx.x;  // the longest rows first
  const int h = blockIdx.y, b = blockIdx.z;
  const int T = s.seq, kvh = h / (s.n_heads / s.n_kv_heads);
  const int q0 = qb * kBlockRows;
  const int64_t row0 = static_cast<int64_t>(b) * T;
  const int64_t q_col = static_cast<int64_t>(h) * D;
  const int64_t k_col = static_cast<int64_t>(s.n_heads + kvh) * D;
  const int64_t v_col = static_cast<int64_t>(s.n_heads + s.n_kv_heads + kvh) * D;
  load_head_tile<D>(sQ, qkv + row0 * s.qkv_stride + q_col, s.qkv_stride, q0, T);
  load_head_tile<D>(sdO, dout + row0 * s.out_stride + q_col, s.out_stride, q0, T);
  load_row_stats(s_lse, s_delta, lse, delta, (static_cast<int64_t>(b) * s.n_heads + h) * T, q0, T);
  load_segments(seg_q, seg, row0, q0, T, 0);

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int wrow0 = warp * 16;
  const int r = wrow0 + (lane >> 1), half = lane & 1;
  const float scale2 = s.scale * kLog2e;

  FragAcc dq[D / 16];
#pragma unroll
  for (int n = 0; n < D / 16; ++n) wmma::fill_fragment(dq[n], 0.0f);

  for (int kb = 0; kb <= qb; ++kb) {
    const int k0 = kb * kBlockRows;
    __syncthreads();
    load_head_tile<D>(sK, qkv + row0 * s.qkv_stride + k_col, s.qkv_stride, k0, T);
    load_head_tile<D>(sV, qkv + row0 * s.qkv_stride + v_col, s.qkv_stride, k0, T);
    load_segments(seg_k, seg, row0, k0, T, 0);
    __syncthreads();

    scores_to_shared<D>(sS, sQ, sK, wrow0);
    __syncwarp();
    float p[32];
    probabilities(p, sS, r, half, q0 + r, k0, T, seg_q, seg_k, scale2, s_lse[r]);
    __syncwarp();
    scores_to_shared<D>(sS, sdO, sV, wrow0);
    __syncwarp();
    score_gradients(sdS, p, sS, r, half, s_delta[r], s.scale);
    __syncwarp();

    // dQ[warp rows] += dS[warp rows, 64] K[64, D]
    FragA a[kBlockRows / 16];
#pragma unroll
    for (int kk = 0; kk < kBlockRows / 16; ++kk) wmma::load_matrix_sync(a[kk], sdS + wrow0 * kLdP + kk * 16, kLdP);
#pragma unroll
    for (int n = 0; n < D / 16; ++n) {
#pragma unroll
      for (int kk = 0; kk < kBlockRows / 16; ++kk) {
        FragBRow bk;
        wmma::load_matrix_sync(bk, sK + kk * 16 * kLd + n * 16, kLd);
        wmma::mma_sync(dq[n], a[kk], bk, dq[n]);
      }
    }
  }
  __syncwarp();
  store_strip<D>(dq, sS, wrow0, dqkv + row0 * s.qkv_stride + q_col, s.qkv_stride, q0, T);
}

template <int D>
void launch_flash_backward(Tensor dqkv, Tensor dout, Tensor qkv, const float* lse, const float* delta,
                           const int32_t* seg, const AttentionShape& s, cudaStream_t stream) {
  constexpr size_t bytes = BackwardSmem<D>::bytes;
  static bool configured = false;  // the opt-in above 48 KB of shared memory, once per kernel
  if (!configured) {
    DSMATH_CUDA(cudaFuncSetAttribute(flash_backward_dkdv_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     int(bytes)),
                "attention_backward");
    DSMATH_CUDA(cudaFuncSetAttribute(flash_backward_dq_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     int(bytes)),
                "attention_backward");
    configured = true;
  }
  const int tiles = (s.seq + kBlockRows - 1) / kBlockRows;
  launch("attention_backward (dK, dV)", flash_backward_dkdv_kernel<D>, dim3(tiles, s.n_kv_heads, s.batch), kThreads,
         bytes, stream, dqkv.as<bf16>(), dout.as<const bf16>(), qkv.as<const bf16>(), lse, delta, seg, s);
  launch("attention_backward (dQ)", flash_backward_dq_kernel<D>, dim3(tiles, s.n_heads, s.batch), kThreads, bytes,
         stream, dqkv.as<bf16>(), dout.as<const bf16>(), qkv.as<const bf16>(), lse, delta, seg, s);
}
}  // namespace

size_t attention_backward_scratch_bytes(const AttentionShape& s) {
  return static_cast<size_t>(s.batch) * s.n_heads * s.seq * sizeof(float);
}

void launch_attention_backward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, const float* lse,
                               const int32_t* segment_ids, const AttentionShape& s, void* scratch, cudaStream_t stream) {
  float* delta = static_cast<float*>(scratch);
  const int64_t warps = static_cast<int64_t>(s.batch) * s.seq * s.n_heads;
  constexpr int kDeltaThreads = 256;
  launch("attention_backward (D = dout . out)", attention_delta_kernel,
         static_cast<unsigned>((warps * 32 + kDeltaThreads - 1) / kDeltaThreads), kDeltaThreads, 0, stream, delta,
         dout.as<const bf16>(), out.as<const bf16>(), s);
  switch (s.head_dim) {
    case 16: launch_flash_backward<16>(dqkv, dout, qkv, lse, delta, segment_ids, s, stream); break;
    case 32: launch_flash_backward<32>(dqkv, dout, qkv, lse, delta, segment_ids, s, stream); break;
    case 64: launch_flash_backward<64>(dqkv, dout, qkv, lse, delta, segment_ids, s, stream); break;
    case 128: launch_flash_backward<128>(dqkv, dout, qkv, lse, delta, segment_ids, s, stream); break;
    default: fail_op("attention_backward", "head_dim " + std::to_string(s.head_dim) + " has no kernel");
  }
}

}  // namespace dsmath::cuda
