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
  static constexpr int kLdO = D + 4;  // fp32 output accumulator row stride
  static constexpr size_t q = 0;
  static constexpr size_t k = q + HeadTile<D>::kBytes;
  static constexpr size_t v = k + HeadTile<D>::kBytes;
  static constexpr size_t s = v + HeadTile<D>::kBytes;
  static constexpr size_t p = s + kScoreBytes;
  static constexpr size_t o = p + kProbBytes;
  static constexpr size_t seg_q = o + size_t(kBlockRows) * kLdO * sizeof(float);
  static constexpr size_t seg_k = seg_q + kBlockRows * sizeof(int);
  static constexpr size_t bytes = seg_k + kBlockRows * sizeof(int);
};

template <int D>
__global__ void __launch_bounds__(kThreads) flash_forward_kernel(bf16* __restrict__ out, float* __restrict__ lse,
                                                                 const bf16* __restrict__ qkv,
                                                                 const int32_t* __restrict__ seg, AttentionShape s) {
  using namespace nvcuda;
  using L = ForwardSmem<D>;
  constexpr int kLd = HeadTile<D>::kLd;
  DSMATH_DYNAMIC_SHARED(unsigned char, smem);
  bf16* sQ = reinterpret_cast<bf16*>(smem + L::q);
  bf16* sK = reinterpret_cast<bf16*>(smem + L::k);
  bf16* sV = reinterpret_cast<bf16*>(smem + L::v);
  float* sS = reinterpret_cast<float*>(smem + L::s);
  bf16* sP = reinterpret_cast<bf16*>(smem + L::p);
  float* sO = reinterpret_cast<float*>(smem + L::o);
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

  load_head_tile<D>(sQ, q_base, s.qkv_stride, q0, T);
  load_segments(seg_q, seg, row0, q0, T, 0);
  for (int i = threadIdx.x; i < kBlockRows * L::kLdO; i += kThreads) sO[i] = 0.0f;

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int wrow0 = warp * 16;
  // softmax layout: lanes 2i and 2i+1 share row wrow0 + i, each with 32 of the 64 columns
  const int r = wrow0 + (lane >> 1), half = lane & 1;
  const int query = q0 + r;
  const float scale2 = s.scale * kLog2e;  // scores in log2 units: exp2 is one instruction
  float m_run = -INFINITY, l_run = 0.0f;

  for (int kb = 0; kb <= qb; ++kb) {
    const int k0 = kb * kBlockRows;
    __syncthreads();  // the previous tile is no longer read
    load_head_tile<D>(sK, k_base, s.qkv_stride, k0, T);
    load_head_tile<D>(sV, v_base, s.qkv_stride, k0, T);
    load_segments(seg_k, seg, row0, k0, T, 0);
    __syncthreads();

    scores_to_shared<D>(sS, sQ, sK, wrow0);
    __syncwarp();

    float vals[32];
    float tile_max = -INFINITY;
    const float* srow = sS + r * kLdS + half * 32;
#pragma unroll
    for (int j = 0; j < 32; ++j) {
      const int c = half * 32 + j;
      const bool ok = visible(query, k0 + c, T, seg_q[r], seg_k[c]);
      vals[j] = ok ? srow[j] * scale2 : -INFINITY;
      tile_max = fmaxf(tile_max, vals[j]);
    }
    tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, 1));
    const float m_new = fmaxf(m_run, tile_max);
    const float m_use = m_new == -INFINITY ? 0.0f : m_new;  // a row with nothing visible yet stays 0
    const float alpha = exp2f(m_run - m_use);
    float sum = 0.0f;
    bf16* prow = sP + r * kLdP + half * 32;
#pragma unroll
    for (int j = 0; j < 32; ++j) {
      const float p = exp2f(vals[j] - m_use);
      sum += p;
      prow[j] = __float2bfloat16_rn(p);
    }
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    l_run = l_run * alpha + sum;
    m_run = m_new;
    float* orow = sO + r * L::kLdO + half * (D / 2);
#pragma unroll
    for (int d = 0; d < D / 2; ++d) orow[d] *= alpha;
    __syncwarp();

    // O[warp rows] += P[warp rows, 64] V[64, D]
    FragA pa[kBlockRows / 16];
#pragma unroll
    for (int kk = 0; kk < kBlockRows / 16; ++kk) wmma::load_matrix_sync(pa[kk], sP + wrow0 * kLdP + kk * 16, kLdP);
#pragma unroll
    for (int n = 0; n < D / 16; ++n) {
      FragAcc acc;
      float* otile = sO + wrow0 * L::kLdO + n * 16;
      wmma::load_matrix_sync(acc, otile, L::kLdO, wmma::mem_row_major);
#pragma unroll
      for (int kk = 0; kk < kBlockRows / 16; ++kk) {
        FragBRow vb;
        wmma::load_matrix_sync(vb, sV + kk * 16 * kLd + n * 16, kLd);
        wmma::mma_sync(acc, pa[kk], vb, acc);
      }
      wmma::store_matrix_sync(otile, acc, L::kLdO, wmma::mem_row_major);
    }
    __syncwarp();
  }

  if (query < T) {
    const float inv = 1.0f / l_run;
    const float* orow = sO + r * L::kLdO + half * (D / 2);
    bf16* dst = out + (row0 + query) * s.out_stride + static_cast<int64_t>(h) * D + half * (D / 2);
#pragma unroll
    for (int d = 0; d < D / 2; ++d) dst[d] = __float2bfloat16_rn(orow[d] * inv);
    if (half == 0) lse[(static_cast<int64_t>(b) * s.n_heads + h) * T + query] = (m_run + log2f(l_run)) / kLog2e;
  }
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
