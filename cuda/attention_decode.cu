#include <algorithm>
#include <cmath>

#include "cuda/attention_decode.cuh"
#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/launch.cuh"

namespace dsmath::cuda {

namespace {
constexpr int kDecodeWarps = 4;
constexpr int kMaxDimsPerLane = 8;  // head_dim <= 256
// Long contexts are split over blocks when the rows x heads alone would leave SMs idle (batch 1
// has 16 blocks for 132 SMs): at least this many positions per split, at most kMaxSplits.
constexpr int kMinPositionsPerSplit = 64;
constexpr int kMaxSplits = 64;

__global__ void kv_cache_write_kernel(bf16* __restrict__ k_cache, bf16* __restrict__ v_cache, const bf16* __restrict__ qkv,
                                      const int32_t* __restrict__ slots, const int32_t* __restrict__ positions,
                                      int64_t n_tokens, int64_t qkv_stride, int64_t k_col, int kv_width, int max_len) {
  const int64_t total = n_tokens * kv_width;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t t = i / kv_width;
    const int c = static_cast<int>(i - t * kv_width);
    // padding tokens (slot < 0, as prefill marks a row's tail) are skipped, as the CPU twin
    // does: the negative slot would address memory before the cache
    if (slots[t] < 0) continue;
    const bf16* row = qkv + t * qkv_stride + k_col;
    const int64_t dst = (static_cast<int64_t>(slots[t]) * max_len + positions[t]) * kv_width + c;
    k_cache[dst] = row[c];
    v_cache[dst] = row[kv_width + c];
  }
}

// One split of one (row, query head): the positions [split * per, (split + 1) * per) of the row's
// cache, per = ceil(length / splits), shared by the block's 4 warps (each an online softmax,
// merged at the end). With one split the block writes the output; with several it writes its
// (max, sum, unnormalized output) to `partial` and attention_decode_merge_kernel combines them.
__global__ void __launch_bounds__(kDecodeWarps * 32)
    attention_decode_kernel(bf16* __restrict__ out, float* __restrict__ partial, const bf16* __restrict__ qkv,
                            const bf16* __restrict__ k_cache, const bf16* __restrict__ v_cache,
                            const int32_t* __restrict__ slots, const int32_t* __restrict__ lengths, AttentionShape s,
                            KvCacheShape c) {
  DSMATH_STATIC_SHARED(float, s_m, [kDecodeWarps]);
  DSMATH_STATIC_SHARED(float, s_l, [kDecodeWarps]);
  DSMATH_STATIC_SHARED(float, s_acc, [kDecodeWarps][kMaxDimsPerLane * 32]);
  const int h = blockIdx.x, row = blockIdx.y, split = blockIdx.z, splits = gridDim.z;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int D = s.head_dim, kvh = h / (s.n_heads / s.n_kv_heads);
  const int64_t kv_width = static_cast<int64_t>(c.n_kv_heads) * D;
  const int len = lengths[row];
  const int per = (len + splits - 1) / splits;
  const int begin = min(len, split * per), end = min(len, begin + per);
  const int64_t base = static_cast<int64_t>(slots[row]) * c.max_len * kv_width + static_cast<int64_t>(kvh) * D;
  const bf16* q = qkv + static_cast<int64_t>(row) * s.qkv_stride + static_cast<int64_t>(h) * D;

  // lane owns dims lane, lane + 32, ...
  float qv[kMaxDimsPerLane], acc[kMaxDimsPerLane];
#pragma unroll
  for (int i = 0; i < kMaxDimsPerLane; ++i) {
    const int d = lane + 32 * i;
    qv[i] = d < D ? __bfloat162float(q[d]) * s.scale : 0.0f;
    acc[i] = 0.0f;
  }
  float m = -INFINITY, l = 0.0f;
  for (int j = begin + warp; j < end; j += kDecodeWarps) {
    const bf16* k = k_cache + base + j * kv_width;
    float dot = 0.0f;
#pragma unroll
    for (int i = 0; i < kMaxDimsPerLane; ++i) {
      const int d = lane + 32 * i;
      if (d < D) dot += qv[i] * __bfloat162float(k[d]);
    }
    dot = warp_sum(dot);
    const float m_new = fmaxf(m, dot);
    const float alpha = expf(m - m_new), p = expf(dot - m_new);
    l = l * alpha + p;
    const bf16* v = v_cache + base + j * kv_width;
#pragma unroll
    for (int i = 0; i < kMaxDimsPerLane; ++i) {
      const int d = lane + 32 * i;
      acc[i] = acc[i] * alpha + (d < D ? p * __bfloat162float(v[d]) : 0.0f);
    }
    m = m_new;
  }
  if (lane == 0) {
    s_m[warp] = m;
    s_l[warp] = l;
  }
#pragma unroll
  for (int i = 0; i < kMaxDimsPerLane; ++i) s_acc[warp][lane + 32 * i] = acc[i];
  __syncthreads();
  if (warp != 0) return;
  float m_all = -INFINITY;
  for (int w = 0; w < kDecodeWarps; ++w) m_all = fmaxf(m_all, s_m[w]);
  float l_all = 0.0f;
  float o[kMaxDimsPerLane] = {};
  for (int w = 0; w < kDecodeWarps; ++w) {
    if (s_m[w] == -INFINITY) continue;  // a warp that saw no position
    const float r = expf(s_m[w] - m_all);
    l_all += s_l[w] * r;
#pragma unroll
    for (int i = 0; i < kMaxDimsPerLane; ++i) o[i] += s_acc[w][lane + 32 * i] * r;
  }
  if (splits > 1) {
    float* p = partial + ((static_cast<int64_t>(row) * s.n_heads + h) * splits + split) * (D + 2);
    if (lane == 0) {
      p[0] = m_all;
      p[1] = l_all;
    }
#pragma unroll
    for (int i = 0; i < kMaxDimsPerLane; ++i) {
      const int d = lane + 32 * i;
      if (d < D) p[2 + d] = o[i];
    }
    return;
  }
  const float inv = l_all > 0.0f ? 1.0f / l_all : 0.0f;  // an empty cache gives zeros
  bf16* dst = out + static_cast<int64_t>(row) * s.out_stride + static_cast<int64_t>(h) * D;
#pragma unroll
  for (int i = 0; i < kMaxDimsPerLane; ++i) {
    const int d = lane + 32 * i;
    if (d < D) dst[d] = __float2bfloat16_rn(o[i] * inv);
  }
}

// The splits of one (row, query head), in split order: one warp, lane owning dims lane + 32 i.
__global__ void attention_decode_merge_kernel(bf16* __restrict__ out, const float* __restrict__ partial, AttentionShape s,
                                              int splits) {
  const int h = blockIdx.x, row = blockIdx.y, lane = threadIdx.x;
  const int D = s.head_dim;
  const float* p = partial + (static_cast<int64_t>(row) * s.n_heads + h) * splits * (D + 2);
  float m_all = -INFINITY;
  for (int k = 0; k < splits; ++k) m_all = fmaxf(m_all, p[k * (D + 2)]);
  float l_all = 0.0f, o[kMaxDimsPerLane] = {};
  for (int k = 0; k < splits; ++k) {
    const float* part = p + k * (D + 2);
    if (part[0] == -INFINITY) continue;  // a split with no position (the row is shorter than the splits)
    const float r = expf(part[0] - m_all);
    l_all += part[1] * r;
#pragma unroll
    for (int i = 0; i < kMaxDimsPerLane; ++i) {
      const int d = lane + 32 * i;
      if (d < D) o[i] += part[2 + d] * r;
    }
  }
  const float inv = l_all > 0.0f ? 1.0f / l_all : 0.0f;
  bf16* dst = out + static_cast<int64_t>(row) * s.out_stride + static_cast<int64_t>(h) * D;
#pragma unroll
  for (int i = 0; i < kMaxDimsPerLane; ++i) {
    const int d = lane + 32 * i;
    if (d < D) dst[d] = __float2bfloat16_rn(o[i] * inv);
  }
}
}  // namespace

void launch_kv_cache_write(Tensor k_cache, Tensor v_cache, Tensor qkv, const int32_t* slots, const int32_t* positions,
                           int64_t n_tokens, const AttentionShape& s, const KvCacheShape& c, cudaStream_t stream) {
  if (n_tokens <= 0) return;
  const int kv_width = c.n_kv_heads * c.head_dim;
  constexpr int kThreads = 256;
  launch("kv_cache_write", kv_cache_write_kernel, grid_for(n_tokens * kv_width, kThreads), kThreads, 0, stream,
         k_cache.as<bf16>(), v_cache.as<bf16>(), qkv.as<const bf16>(), slots, positions, n_tokens, s.qkv_stride,
         static_cast<int64_t>(s.n_heads) * s.head_dim, kv_width, c.max_len);
}

int attention_decode_splits(const AttentionShape& s, const KvCacheShape& c, int sm_count) {
  const int64_t blocks = static_cast<int64_t>(s.n_heads) * s.batch;
  const int64_t to_fill = (2 * static_cast<int64_t>(sm_count) + blocks - 1) / blocks;  // two blocks per SM
  const int64_t by_length = (c.max_len + kMinPositionsPerSplit - 1) / kMinPositionsPerSplit;
  return static_cast<int>(std::max<int64_t>(1, std::min({to_fill, by_length, int64_t{kMaxSplits}})));
}

size_t attention_decode_scratch_bytes(const AttentionShape& s, const KvCacheShape& c, int sm_count) {
  const int splits = attention_decode_splits(s, c, sm_count);
  return splits > 1 ? static_cast<size_t>(s.batch) * s.n_heads * splits * (s.head_dim + 2) * sizeof(float) : 0;
}

void launch_attention_decode(Tensor out, Tensor qkv, Tensor k_cache, Tensor v_cache, const int32_t* slots,
                             const int32_t* lengths, const AttentionShape& s, const KvCacheShape& c, int sm_count,
                             void* scratch, cudaStream_t stream) {
  if (s.batch <= 0) return;
  const int splits = attention_decode_splits(s, c, sm_count);
  auto* partial = static_cast<float*>(scratch);
  launch("attention_decode", attention_decode_kernel, dim3(s.n_heads, s.batch, splits), kDecodeWarps * 32, 0, stream,
         out.as<bf16>(), partial, qkv.as<const bf16>(), k_cache.as<const bf16>(), v_cache.as<const bf16>(), slots, lengths,
         s, c);
  if (splits > 1)
    launch("attention_decode (merge splits)", attention_decode_merge_kernel, dim3(s.n_heads, s.batch), 32, 0, stream,
           out.as<bf16>(), static_cast<const float*>(partial), s, splits);
}

}  // namespace dsmath::cuda
