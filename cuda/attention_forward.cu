#include <cmath>

#include "cuda/attention_common.cuh"
#include "cuda/attention_forward.cuh"
#include "cuda/check.cuh"
#include "cuda/launch.cuh"

namespace dsmath::cuda {

namespace {
using namespace attention;

template <int D>
struct ForwardSmem {
  static constexpr size_t q = 0;
  static constexpr size_t k = q + HeadTile<D>::kBytes;
  static constexpr size_t v = k + HeadTile<D>::kBytes;
  static constexpr size_t seg_q = v + HeadTile<D>::kBytes;
  static constexpr size_t seg_k = seg_q + kBlockRows * sizeof(int);  // two buffers: this key tile, the next
  static constexpr size_t bytes = seg_k + 2 * kBlockRows * sizeof(int);
};

// FlashAttention-2's forward (Dao 2023, Algorithm 1): each warp owns 16 query rows; S = Q K^T and
// O live in mma.sync accumulators (registers), P goes from the S accumulators straight into the
// A operand of P V (the m16n8 C layout of two adjacent 8-key blocks is the m16k16 A layout), the
// online softmax rescales O in registers, and the row sum is reduced over the 4 lanes sharing a
// row only once at the end. K and V tiles arrive by cp.async, V's copy overlapping S and the
// softmax, the next K's overlapping P V. Causal tiles above the diagonal are never visited.
//
// Lane roles (cuda/emu/mma.hpp): g = lane / 4 picks rows g and g + 8 of the warp's 16, tid =
// lane % 4 the columns 2 tid, 2 tid + 1 of every 8-column block.
template <int D>
__global__ void __launch_bounds__(kThreads) flash_forward_kernel(bf16* __restrict__ out, float* __restrict__ lse,
                                                                 const bf16* __restrict__ qkv,
                                                                 const int32_t* __restrict__ seg, AttentionShape s) {
  using L = ForwardSmem<D>;
  constexpr int kLd = HeadTile<D>::kLd;
  constexpr int kScoreBlocks = kBlockRows / 8;  // 8-key blocks of S
  constexpr int kOutBlocks = D / 8;             // 8-column blocks of O
  DSMATH_DYNAMIC_SHARED(unsigned char, smem);
  bf16* sQ = reinterpret_cast<bf16*>(smem + L::q);
  bf16* sK = reinterpret_cast<bf16*>(smem + L::k);
  bf16* sV = reinterpret_cast<bf16*>(smem + L::v);
  int* seg_q = reinterpret_cast<int*>(smem + L::seg_q);
  int* seg_k = reinterpret_cast<int*>(smem + L::seg_k);

  const int qb = gridDim.x - 1 - blockIdx.x;  // the longest rows (most key tiles) start first
  const int h = blockIdx.y, b = blockIdx.z;
  const int T = s.seq, kvh = h / (s.n_heads / s.n_kv_heads);
  const int q0 = qb * kBlockRows;
  const int64_t row0 = static_cast<int64_t>(b) * T;
  const bf16* q_base = qkv + row0 * s.qkv_stride + static_cast<int64_t>(h) * D;
  const bf16* k_base = qkv + row0 * s.qkv_stride + static_cast<int64_t>(s.n_heads + kvh) * D;
  const bf16* v_base = qkv + row0 * s.qkv_stride + static_cast<int64_t>(s.n_heads + s.n_kv_heads + kvh) * D;

  // commit groups in flight at the top of each iteration: {K of this tile (and Q)}, {V of this tile}
  async_load_head_tile<D>(sQ, q_base, s.qkv_stride, q0, T);
  async_load_head_tile<D>(sK, k_base, s.qkv_stride, 0, T);
  mma::cp_async_commit();
  async_load_head_tile<D>(sV, v_base, s.qkv_stride, 0, T);
  mma::cp_async_commit();
  load_segments(seg_q, seg, row0, q0, T, 0);
  load_segments(seg_k, seg, row0, 0, T, 0);

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, tid = lane & 3;
  const int wrow0 = warp * 16;
  const int query_lo = q0 + wrow0 + g, query_hi = query_lo + 8;
  const LaneOffsets lanes = lane_offsets<kLd>();
  const float scale2 = s.scale * kLog2e;  // scores in log2 units: exp2 is one instruction

  float o[kOutBlocks][4];
  zero(o);
  float m_lo = -INFINITY, m_hi = -INFINITY, l_lo = 0.0f, l_hi = 0.0f;  // l: this lane's columns only
  int seg_lo = 0, seg_hi = 0;

  for (int kb = 0; kb <= qb; ++kb) {
    const int k0 = kb * kBlockRows;
    const int* seg_kb = seg_k + (kb & 1) * kBlockRows;
    mma::cp_async_wait<1>();  // this thread's Q and K copies have landed (V's may not have)
    __syncthreads();          // ... and every other thread's; the segment ids are visible
    if (kb == 0) {
      seg_lo = seg_q[wrow0 + g];
      seg_hi = seg_q[wrow0 + g + 8];
    }

    float sc[kScoreBlocks][4];
    zero(sc);
    rows_times_rows_t<D>(sc, sQ + wrow0 * kLd + lanes.a, sK + lanes.bt);
    __syncthreads();  // every warp is done with this K tile
    if (kb < qb) {
      async_load_head_tile<D>(sK, k_base, s.qkv_stride, k0 + kBlockRows, T);
      mma::cp_async_commit();
      load_segments(seg_k + ((kb + 1) & 1) * kBlockRows, seg, row0, k0 + kBlockRows, T, 0);
    }

    // mask (only where a tile can hide keys), scale, row maxima over the 4 lanes of a row
    const bool all_visible = kb < qb && seg == nullptr;  // below the diagonal, inside the sequence
    float max_lo = -INFINITY, max_hi = -INFINITY;
#pragma unroll
    for (int n = 0; n < kScoreBlocks; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int c = n * 8 + 2 * tid + (e & 1);
        const bool lo = e < 2;
        float v = sc[n][e] * scale2;
        if (!all_visible && !visible(lo ? query_lo : query_hi, k0 + c, T, lo ? seg_lo : seg_hi, seg_kb[c])) v = -INFINITY;
        sc[n][e] = v;
        if (lo) max_lo = fmaxf(max_lo, v);
        else max_hi = fmaxf(max_hi, v);
      }
#pragma unroll
    for (int offset = 1; offset <= 2; offset <<= 1) {
      max_lo = fmaxf(max_lo, __shfl_xor_sync(0xffffffffu, max_lo, offset));
      max_hi = fmaxf(max_hi, __shfl_xor_sync(0xffffffffu, max_hi, offset));
    }
    const float new_lo = fmaxf(m_lo, max_lo), new_hi = fmaxf(m_hi, max_hi);
    const float use_lo = new_lo == -INFINITY ? 0.0f : new_lo;  // a row with nothing visible yet stays 0
    const float use_hi = new_hi == -INFINITY ? 0.0f : new_hi;
    const float alpha_lo = exp2f(m_lo - use_lo), alpha_hi = exp2f(m_hi - use_hi);
    m_lo = new_lo;
    m_hi = new_hi;
    l_lo *= alpha_lo;
    l_hi *= alpha_hi;
#pragma unroll
    for (int n = 0; n < kOutBlocks; ++n) {
      o[n][0] *= alpha_lo;
      o[n][1] *= alpha_lo;
      o[n][2] *= alpha_hi;
      o[n][3] *= alpha_hi;
    }
#pragma unroll
    for (int n = 0; n < kScoreBlocks; ++n) {
      sc[n][0] = exp2f(sc[n][0] - use_lo);
      sc[n][1] = exp2f(sc[n][1] - use_lo);
      sc[n][2] = exp2f(sc[n][2] - use_hi);
      sc[n][3] = exp2f(sc[n][3] - use_hi);
      l_lo += sc[n][0] + sc[n][1];
      l_hi += sc[n][2] + sc[n][3];
    }
    uint32_t pa[kBlockRows / 16][4];  // P in bf16, the A operand of P V
    to_a_operand(pa, sc);

    if (kb < qb) mma::cp_async_wait<1>();  // this tile's V has landed (the next K may not have)
    else mma::cp_async_wait<0>();
    __syncthreads();
    regs_times_rows<D>(o, pa, sV + lanes.b);
    if (kb < qb) {
      __syncthreads();  // every warp is done with this V tile
      async_load_head_tile<D>(sV, v_base, s.qkv_stride, k0 + kBlockRows, T);
      mma::cp_async_commit();
    }
  }

#pragma unroll
  for (int offset = 1; offset <= 2; offset <<= 1) {
    l_lo += __shfl_xor_sync(0xffffffffu, l_lo, offset);
    l_hi += __shfl_xor_sync(0xffffffffu, l_hi, offset);
  }
  bf16* out_head = out + row0 * s.out_stride + static_cast<int64_t>(h) * D;
  store_strip<D>(out_head, s.out_stride, o, query_lo, query_hi, T, 1.0f / l_lo, 1.0f / l_hi);
  float* lse_head = lse + (static_cast<int64_t>(b) * s.n_heads + h) * T;
  if (tid == 0 && query_lo < T) lse_head[query_lo] = (m_lo + log2f(l_lo)) / kLog2e;
  if (tid == 0 && query_hi < T) lse_head[query_hi] = (m_hi + log2f(l_hi)) / kLog2e;
}

template <int D>
void launch_flash_forward(Tensor out, float* lse, Tensor qkv, const int32_t* seg, const AttentionShape& s,
                          cudaStream_t stream) {
  constexpr size_t bytes = ForwardSmem<D>::bytes;
  static bool configured = false;  // the opt-in above 48 KB of shared memory, once per kernel
  if (!configured) {
    DSMATH_CUDA(cudaFuncSetAttribute(flash_forward_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)),
                "attention_forward");
    configured = true;
  }
  const dim3 grid((s.seq + kBlockRows - 1) / kBlockRows, s.n_heads, s.batch);
  launch("attention_forward", flash_forward_kernel<D>, grid, kThreads, bytes, stream, out.as<bf16>(), lse,
         qkv.as<const bf16>(), seg, s);
}
}  // namespace

void launch_attention_forward(Tensor out, float* lse, Tensor qkv, const int32_t* segment_ids, const AttentionShape& s,
                              cudaStream_t stream) {
  switch (s.head_dim) {
    case 16: launch_flash_forward<16>(out, lse, qkv, segment_ids, s, stream); break;
    case 32: launch_flash_forward<32>(out, lse, qkv, segment_ids, s, stream); break;
    case 64: launch_flash_forward<64>(out, lse, qkv, segment_ids, s, stream); break;
    case 128: launch_flash_forward<128>(out, lse, qkv, segment_ids, s, stream); break;
    default: fail_op("attention_forward", "head_dim " + std::to_string(s.head_dim) + " has no kernel");
  }
}

}  // namespace dsmath::cuda
