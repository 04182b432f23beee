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

// Per-query-row statistics of a query tile: lse (scaled to log2 units) and D; 0 past the end.
__device__ __forceinline__ void load_row_stats(float* s_lse, float* s_delta, const float* __restrict__ lse,
                                               const float* __restrict__ delta, int64_t stats_row0, int q0, int seq) {
  for (int i = threadIdx.x; i < kBlockRows; i += kThreads) {
    const bool in = q0 + i < seq;
    s_lse[i] = in ? lse[stats_row0 + q0 + i] * kLog2e : 0.0f;
    s_delta[i] = in ? delta[stats_row0 + q0 + i] : 0.0f;
  }
}

// Shared memory of the dK/dV kernel: its key tile's K and V, and two stages of the query tiles it
// walks (Q, dO and their row statistics), the next stage loading while this one is used.
template <int D>
struct DkdvSmem {
  static constexpr size_t k = 0;
  static constexpr size_t v = k + HeadTile<D>::kBytes;
  static constexpr size_t q = v + HeadTile<D>::kBytes;       // 2 stages
  static constexpr size_t dout = q + 2 * HeadTile<D>::kBytes;  // 2 stages
  static constexpr size_t lse = dout + 2 * HeadTile<D>::kBytes;
  static constexpr size_t delta = lse + 2 * kBlockRows * sizeof(float);
  static constexpr size_t seg_q = delta + 2 * kBlockRows * sizeof(float);
  static constexpr size_t seg_k = seg_q + 2 * kBlockRows * sizeof(int);
  static constexpr size_t bytes = seg_k + kBlockRows * sizeof(int);
};

// Issues the loads of query tile `qb` of head `h` into `stage`: Q and dO by cp.async (one commit
// group), the row statistics and segment ids by plain stores.
template <int D>
__device__ __forceinline__ void load_query_stage(unsigned char* smem, int stage, int h, int qb, const bf16* __restrict__ qkv,
                                                 const bf16* __restrict__ dout, const float* __restrict__ lse,
                                                 const float* __restrict__ delta, const int32_t* __restrict__ seg,
                                                 const AttentionShape& s, int b) {
  using L = DkdvSmem<D>;
  const int T = s.seq, q0 = qb * kBlockRows;
  const int64_t row0 = static_cast<int64_t>(b) * T;
  bf16* sQ = reinterpret_cast<bf16*>(smem + L::q) + stage * HeadTile<D>::kElems;
  bf16* sdO = reinterpret_cast<bf16*>(smem + L::dout) + stage * HeadTile<D>::kElems;
  async_load_head_tile<D>(sQ, qkv + row0 * s.qkv_stride + static_cast<int64_t>(h) * D, s.qkv_stride, q0, T);
  async_load_head_tile<D>(sdO, dout + row0 * s.out_stride + static_cast<int64_t>(h) * D, s.out_stride, q0, T);
  mma::cp_async_commit();
  load_row_stats(reinterpret_cast<float*>(smem + L::lse) + stage * kBlockRows,
                 reinterpret_cast<float*>(smem + L::delta) + stage * kBlockRows, lse, delta,
                 (static_cast<int64_t>(b) * s.n_heads + h) * T, q0, T);
  load_segments(reinterpret_cast<int*>(smem + L::seg_q) + stage * kBlockRows, seg, row0, q0, T, 0);
}

// dK, dV of one key tile of one kv head (FlashAttention-2's backward, Algorithm 2, without the
// dQ atomics): each warp owns 16 keys and keeps their dK and dV rows in mma accumulators while
// the block walks every query head of the GQA group and every query tile at or after the key
// tile. Per query tile, 32 queries at a time (S^T and dP^T then fit 16 registers each):
// S^T = K Q^T, P^T from the saved log-sum-exp, dV += P^T dO, dP^T = V dO^T,
// dS^T = P^T (dP^T - D) scale, dK += dS^T Q; P^T and dS^T go from accumulators to A operands.
template <int D>
__global__ void __launch_bounds__(kThreads)
    flash_backward_dkdv_kernel(bf16* __restrict__ dqkv, const bf16* __restrict__ dout, const bf16* __restrict__ qkv,
                               const float* __restrict__ lse, const float* __restrict__ delta,
                               const int32_t* __restrict__ seg, AttentionShape s, RopeUnrotate rope) {
  using L = DkdvSmem<D>;
  constexpr int kLd = HeadTile<D>::kLd;
  constexpr int kHalf = kBlockRows / 2;  // queries per register pass
  DSMATH_DYNAMIC_SHARED(unsigned char, smem);
  const bf16* sK = reinterpret_cast<const bf16*>(smem + L::k);
  const bf16* sV = reinterpret_cast<const bf16*>(smem + L::v);
  int* seg_k = reinterpret_cast<int*>(smem + L::seg_k);

  const int kb = blockIdx.x;  // the first key tiles see the most query tiles: they start first
  const int kvh = blockIdx.y, b = blockIdx.z;
  const int T = s.seq, group = s.n_heads / s.n_kv_heads;
  const int k0 = kb * kBlockRows;
  const int q_tiles = (T + kBlockRows - 1) / kBlockRows - kb;  // query tiles per head at or after kb
  const int items = group * q_tiles;
  const int64_t row0 = static_cast<int64_t>(b) * T;
  const int64_t k_col = static_cast<int64_t>(s.n_heads + kvh) * D;
  const int64_t v_col = static_cast<int64_t>(s.n_heads + s.n_kv_heads + kvh) * D;
  async_load_head_tile<D>(reinterpret_cast<bf16*>(smem + L::k), qkv + row0 * s.qkv_stride + k_col, s.qkv_stride, k0, T);
  async_load_head_tile<D>(reinterpret_cast<bf16*>(smem + L::v), qkv + row0 * s.qkv_stride + v_col, s.qkv_stride, k0, T);
  load_segments(seg_k, seg, row0, k0, T, 0);
  load_query_stage<D>(smem, 0, kvh * group, kb, qkv, dout, lse, delta, seg, s, b);  // commits K, V with it

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, tid = lane & 3;
  const int wrow0 = warp * 16;
  const int key_lo = k0 + wrow0 + g, key_hi = key_lo + 8;
  const LaneOffsets lanes = lane_offsets<kLd>();
  const float scale2 = s.scale * kLog2e;

  float dk[D / 8][4], dv[D / 8][4];
  zero(dk);
  zero(dv);
  int seg_lo = 0, seg_hi = 0;

  for (int item = 0; item < items; ++item) {
    const int stage = item & 1;
    const int q0 = (kb + item % q_tiles) * kBlockRows;
    mma::cp_async_wait<0>();  // this item's tiles (and, first, K and V) have landed for this thread
    __syncthreads();          // ... for every thread; and every warp is done with the other stage
    if (item == 0) {
      seg_lo = seg_k[wrow0 + g];
      seg_hi = seg_k[wrow0 + g + 8];
    }
    if (item + 1 < items)
      load_query_stage<D>(smem, stage ^ 1, kvh * group + (item + 1) / q_tiles, kb + (item + 1) % q_tiles, qkv, dout,
                          lse, delta, seg, s, b);
    const bf16* sQ = reinterpret_cast<const bf16*>(smem + L::q) + stage * HeadTile<D>::kElems;
    const bf16* sdO = reinterpret_cast<const bf16*>(smem + L::dout) + stage * HeadTile<D>::kElems;
    const float* s_lse = reinterpret_cast<const float*>(smem + L::lse) + stage * kBlockRows;
    const float* s_delta = reinterpret_cast<const float*>(smem + L::delta) + stage * kBlockRows;
    const int* seg_q = reinterpret_cast<const int*>(smem + L::seg_q) + stage * kBlockRows;

#pragma unroll 1
    for (int part = 0; part < kBlockRows / kHalf; ++part) {
      const int c0 = part * kHalf;  // first query column of this pass, within the tile
      float p[kHalf / 8][4];       // S^T, then P^T
      zero(p);
      rows_times_rows_t<D>(p, sK + wrow0 * kLd + lanes.a, sQ + c0 * kLd + lanes.bt);
#pragma unroll
      for (int n = 0; n < kHalf / 8; ++n)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int c = c0 + n * 8 + 2 * tid + (e & 1);
          const bool lo = e < 2;
          p[n][e] = visible(q0 + c, lo ? key_lo : key_hi, T, seg_q[c], lo ? seg_lo : seg_hi)
                        ? exp2f(p[n][e] * scale2 - s_lse[c])
                        : 0.0f;
        }
      uint32_t pa[kHalf / 16][4];
      to_a_operand(pa, p);
      regs_times_rows<D>(dv, pa, sdO + c0 * kLd + lanes.b);

      float ds[kHalf / 8][4];  // dP^T, then dS^T
      zero(ds);
      rows_times_rows_t<D>(ds, sV + wrow0 * kLd + lanes.a, sdO + c0 * kLd + lanes.bt);
#pragma unroll
      for (int n = 0; n < kHalf / 8; ++n)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int c = c0 + n * 8 + 2 * tid + (e & 1);
          ds[n][e] = p[n][e] * (ds[n][e] - s_delta[c]) * s.scale;
        }
      uint32_t dsa[kHalf / 16][4];
      to_a_operand(dsa, ds);
      regs_times_rows<D>(dk, dsa, sQ + c0 * kLd + lanes.b);
    }
  }
  unrotate_strip<D>(dk, rope, row0, key_lo, key_hi, T);
  store_strip<D>(dqkv + row0 * s.qkv_stride + k_col, s.qkv_stride, dk, key_lo, key_hi, T);
  store_strip<D>(dqkv + row0 * s.qkv_stride + v_col, s.qkv_stride, dv, key_lo, key_hi, T);
}

// Shared memory of the dQ kernel: its query tile's Q and dO, and two stages of key tiles (K, V
// and their segment ids), the next loading while this one is used.
template <int D>
struct DqSmem {
  static constexpr size_t q = 0;
  static constexpr size_t dout = q + HeadTile<D>::kBytes;
  static constexpr size_t k = dout + HeadTile<D>::kBytes;  // 2 stages
  static constexpr size_t v = k + 2 * HeadTile<D>::kBytes;  // 2 stages
  static constexpr size_t seg_q = v + 2 * HeadTile<D>::kBytes;
  static constexpr size_t seg_k = seg_q + kBlockRows * sizeof(int);  // 2 stages
  static constexpr size_t bytes = seg_k + 2 * kBlockRows * sizeof(int);
};

// dQ of one query tile of one head: each warp owns 16 queries and keeps their dQ rows in mma
// accumulators while the block walks the key tiles up to the diagonal: S = Q K^T, P from the
// saved log-sum-exp, dP = dO V^T, dS = P (dP - D) scale, dQ += dS K.
template <int D>
__global__ void __launch_bounds__(kThreads)
    flash_backward_dq_kernel(bf16* __restrict__ dqkv, const bf16* __restrict__ dout, const bf16* __restrict__ qkv,
                             const float* __restrict__ lse, const float* __restrict__ delta,
                             const int32_t* __restrict__ seg, AttentionShape s, RopeUnrotate rope) {
  using L = DqSmem<D>;
  constexpr int kLd = HeadTile<D>::kLd;
  constexpr int kBlocks = kBlockRows / 8;
  DSMATH_DYNAMIC_SHARED(unsigned char, smem);
  bf16* sQ = reinterpret_cast<bf16*>(smem + L::q);
  bf16* sdO = reinterpret_cast<bf16*>(smem + L::dout);
  int* seg_q = reinterpret_cast<int*>(smem + L::seg_q);

  const int qb = gridDim.x - 1 - blockIdx.x;  // the longest rows first
  const int h = blockIdx.y, b = blockIdx.z;
  const int T = s.seq, kvh = h / (s.n_heads / s.n_kv_heads);
  const int q0 = qb * kBlockRows;
  const int64_t row0 = static_cast<int64_t>(b) * T;
  const int64_t q_col = static_cast<int64_t>(h) * D;
  const bf16* k_base = qkv + row0 * s.qkv_stride + static_cast<int64_t>(s.n_heads + kvh) * D;
  const bf16* v_base = qkv + row0 * s.qkv_stride + static_cast<int64_t>(s.n_heads + s.n_kv_heads + kvh) * D;
  auto load_key_stage = [&](int stage, int kb) {
    async_load_head_tile<D>(reinterpret_cast<bf16*>(smem + L::k) + stage * HeadTile<D>::kElems, k_base, s.qkv_stride,
                            kb * kBlockRows, T);
    async_load_head_tile<D>(reinterpret_cast<bf16*>(smem + L::v) + stage * HeadTile<D>::kElems, v_base, s.qkv_stride,
                            kb * kBlockRows, T);
    mma::cp_async_commit();
    load_segments(reinterpret_cast<int*>(smem + L::seg_k) + stage * kBlockRows, seg, row0, kb * kBlockRows, T, 0);
  };
  async_load_head_tile<D>(sQ, qkv + row0 * s.qkv_stride + q_col, s.qkv_stride, q0, T);
  async_load_head_tile<D>(sdO, dout + row0 * s.out_stride + q_col, s.out_stride, q0, T);
  load_segments(seg_q, seg, row0, q0, T, 0);
  load_key_stage(0, 0);  // commits Q and dO with it

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, tid = lane & 3;
  const int wrow0 = warp * 16;
  const int query_lo = q0 + wrow0 + g, query_hi = query_lo + 8;
  const LaneOffsets lanes = lane_offsets<kLd>();
  const float scale2 = s.scale * kLog2e;
  const int64_t stats_row0 = (static_cast<int64_t>(b) * s.n_heads + h) * T;
  const float lse_lo = query_lo < T ? lse[stats_row0 + query_lo] * kLog2e : 0.0f;
  const float lse_hi = query_hi < T ? lse[stats_row0 + query_hi] * kLog2e : 0.0f;
  const float delta_lo = query_lo < T ? delta[stats_row0 + query_lo] : 0.0f;
  const float delta_hi = query_hi < T ? delta[stats_row0 + query_hi] : 0.0f;

  float dq[D / 8][4];
  zero(dq);
  int seg_lo = 0, seg_hi = 0;

  for (int kb = 0; kb <= qb; ++kb) {
    const int stage = kb & 1, k0 = kb * kBlockRows;
    mma::cp_async_wait<0>();  // this key tile (and, first, Q and dO) has landed for this thread
    __syncthreads();          // ... for every thread; and every warp is done with the other stage
    if (kb == 0) {
      seg_lo = seg_q[wrow0 + g];
      seg_hi = seg_q[wrow0 + g + 8];
    }
    if (kb < qb) load_key_stage(stage ^ 1, kb + 1);
    const bf16* sK = reinterpret_cast<const bf16*>(smem + L::k) + stage * HeadTile<D>::kElems;
    const bf16* sV = reinterpret_cast<const bf16*>(smem + L::v) + stage * HeadTile<D>::kElems;
    const int* seg_kb = reinterpret_cast<const int*>(smem + L::seg_k) + stage * kBlockRows;

    float p[kBlocks][4];  // S, then P
    zero(p);
    rows_times_rows_t<D>(p, sQ + wrow0 * kLd + lanes.a, sK + lanes.bt);
#pragma unroll
    for (int n = 0; n < kBlocks; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int c = n * 8 + 2 * tid + (e & 1);
        const bool lo = e < 2;
        p[n][e] = visible(lo ? query_lo : query_hi, k0 + c, T, lo ? seg_lo : seg_hi, seg_kb[c])
                      ? exp2f(p[n][e] * scale2 - (lo ? lse_lo : lse_hi))
                      : 0.0f;
      }
    float ds[kBlocks][4];  // dP, then dS
    zero(ds);
    rows_times_rows_t<D>(ds, sdO + wrow0 * kLd + lanes.a, sV + lanes.bt);
#pragma unroll
    for (int n = 0; n < kBlocks; ++n) {
      ds[n][0] = p[n][0] * (ds[n][0] - delta_lo) * s.scale;
      ds[n][1] = p[n][1] * (ds[n][1] - delta_lo) * s.scale;
      ds[n][2] = p[n][2] * (ds[n][2] - delta_hi) * s.scale;
      ds[n][3] = p[n][3] * (ds[n][3] - delta_hi) * s.scale;
    }
    uint32_t dsa[kBlockRows / 16][4];
    to_a_operand(dsa, ds);
    regs_times_rows<D>(dq, dsa, sK + lanes.b);
  }
  unrotate_strip<D>(dq, rope, row0, query_lo, query_hi, T);
  store_strip<D>(dqkv + row0 * s.qkv_stride + q_col, s.qkv_stride, dq, query_lo, query_hi, T);
}

template <int D>
void launch_flash_backward(Tensor dqkv, Tensor dout, Tensor qkv, const float* lse, const float* delta,
                           const int32_t* seg, const AttentionShape& s, const RopeUnrotate& rope, cudaStream_t stream) {
  constexpr size_t dkdv_bytes = DkdvSmem<D>::bytes, dq_bytes = DqSmem<D>::bytes;
  static bool configured = false;  // the opt-in above 48 KB of shared memory, once per kernel
  if (!configured) {
    DSMATH_CUDA(cudaFuncSetAttribute(flash_backward_dkdv_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     int(dkdv_bytes)),
                "attention_backward");
    DSMATH_CUDA(cudaFuncSetAttribute(flash_backward_dq_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     int(dq_bytes)),
                "attention_backward");
    configured = true;
  }
  const int tiles = (s.seq + kBlockRows - 1) / kBlockRows;
  launch("attention_backward (dK, dV)", flash_backward_dkdv_kernel<D>, dim3(tiles, s.n_kv_heads, s.batch), kThreads,
         dkdv_bytes, stream, dqkv.as<bf16>(), dout.as<const bf16>(), qkv.as<const bf16>(), lse, delta, seg, s, rope);
  launch("attention_backward (dQ)", flash_backward_dq_kernel<D>, dim3(tiles, s.n_heads, s.batch), kThreads, dq_bytes,
         stream, dqkv.as<bf16>(), dout.as<const bf16>(), qkv.as<const bf16>(), lse, delta, seg, s, rope);
}
}  // namespace

size_t attention_backward_scratch_bytes(const AttentionShape& s) {
  return static_cast<size_t>(s.batch) * s.n_heads * s.seq * sizeof(float);
}

void launch_attention_backward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, const float* lse,
                               const int32_t* segment_ids, const AttentionShape& s, const RopeFold& fold, void* scratch,
                               cudaStream_t stream) {
  float* delta = static_cast<float*>(scratch);
  const RopeUnrotate rope{fold.positions, rope_inv_freq(fold.theta, s.head_dim)};
  const int64_t warps = static_cast<int64_t>(s.batch) * s.seq * s.n_heads;
  constexpr int kDeltaThreads = 256;
  launch("attention_backward (D = dout . out)", attention_delta_kernel,
         static_cast<unsigned>((warps * 32 + kDeltaThreads - 1) / kDeltaThreads), kDeltaThreads, 0, stream, delta,
         dout.as<const bf16>(), out.as<const bf16>(), s);
  switch (s.head_dim) {
    case 16: launch_flash_backward<16>(dqkv, dout, qkv, lse, delta, segment_ids, s, rope, stream); break;
    case 32: launch_flash_backward<32>(dqkv, dout, qkv, lse, delta, segment_ids, s, rope, stream); break;
    case 64: launch_flash_backward<64>(dqkv, dout, qkv, lse, delta, segment_ids, s, rope, stream); break;
    case 128: launch_flash_backward<128>(dqkv, dout, qkv, lse, delta, segment_ids, s, rope, stream); break;
    default: fail_op("attention_backward", "head_dim " + std::to_string(s.head_dim) + " has no kernel");
  }
}

}  // namespace dsmath::cuda
