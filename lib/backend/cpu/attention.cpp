// Causal scaled-dot-product attention with grouped-query heads and optional segment masking
// (packed documents). The forward saves the log-sum-exp of each query row, so the backward
// recomputes probabilities instead of storing the T x T matrix (as flash attention does):
//   p_ij = exp(s_ij - lse_i),  D_i = dout_i . out_i,  ds_ij = p_ij (dout_i . v_j - D_i)
//   dq_i = scale sum_j ds_ij k_j,  dk_j = scale sum_i ds_ij q_i,  dv_j = sum_i p_ij dout_i
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backend/cpu/cpu_ops.hpp"
#include "backend/cpu/vec.hpp"

namespace dsmath::cpu {

namespace {
inline bool visible(const int32_t* seg, int64_t row0, int i, int j) {
  return seg == nullptr || seg[row0 + i] == seg[row0 + j];
}
}  // namespace

void attention_forward(float* out, float* lse, const float* qkv, const int32_t* seg, const AttentionShape& s) {
  const int T = s.seq, H = s.n_heads, hd = s.head_dim;
  const int group = s.n_heads / s.n_kv_heads;
  const int64_t k_off = static_cast<int64_t>(H) * hd;
  const int64_t v_off = k_off + static_cast<int64_t>(s.n_kv_heads) * hd;
#pragma omp parallel
  {
    std::vector<float> scores(T);
#pragma omp for collapse(2) schedule(static)
    for (int b = 0; b < s.batch; ++b) {
      for (int h = 0; h < H; ++h) {
        const int kvh = h / group;
        const int64_t row0 = static_cast<int64_t>(b) * T;
        for (int i = 0; i < T; ++i) {
          const float* q = qkv + (row0 + i) * s.qkv_stride + static_cast<int64_t>(h) * hd;
          float m = -std::numeric_limits<float>::infinity();
          for (int j = 0; j <= i; ++j) {
            if (!visible(seg, row0, i, j)) {
              scores[j] = -std::numeric_limits<float>::infinity();
              continue;
            }
            const float* k = qkv + (row0 + j) * s.qkv_stride + k_off + static_cast<int64_t>(kvh) * hd;
            scores[j] = dot(q, k, hd) * s.scale;
            m = std::max(m, scores[j]);
          }
          float sum = 0.0f;
          for (int j = 0; j <= i; ++j) {
            scores[j] = std::exp(scores[j] - m);  // exp(-inf) = 0 for masked positions
            sum += scores[j];
          }
          float* o = out + (row0 + i) * s.out_stride + static_cast<int64_t>(h) * hd;
          std::memset(o, 0, sizeof(float) * hd);
          const float inv = 1.0f / sum;
          for (int j = 0; j <= i; ++j) {
            if (scores[j] == 0.0f) continue;
            const float* v = qkv + (row0 + j) * s.qkv_stride + v_off + static_cast<int64_t>(kvh) * hd;
            axpy(o, scores[j] * inv, v, hd);
          }
          lse[(static_cast<int64_t>(b) * H + h) * T + i] = m + std::log(sum);
        }
      }
    }
  }
}

void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* out, const float* lse,
                        const int32_t* seg, const AttentionShape& s) {
  const int T = s.seq, H = s.n_heads, hd = s.head_dim;
  const int group = s.n_heads / s.n_kv_heads;
  const int64_t k_off = static_cast<int64_t>(H) * hd;
  const int64_t v_off = k_off + static_cast<int64_t>(s.n_kv_heads) * hd;
  // Work is split by (batch, kv head): the query heads sharing a kv head run in sequence in
  // one thread, so dk/dv accumulate without races and in a fixed order.
#pragma omp parallel for collapse(2) schedule(static)
  for (int b = 0; b < s.batch; ++b) {
    for (int kvh = 0; kvh < s.n_kv_heads; ++kvh) {
      const int64_t row0 = static_cast<int64_t>(b) * T;
      for (int t = 0; t < T; ++t) {
        float* row = dqkv + (row0 + t) * s.qkv_stride;
        std::memset(row + k_off + static_cast<int64_t>(kvh) * hd, 0, sizeof(float) * hd);
        std::memset(row + v_off + static_cast<int64_t>(kvh) * hd, 0, sizeof(float) * hd);
      }
      for (int h = kvh * group; h < (kvh + 1) * group; ++h) {
        for (int i = 0; i < T; ++i) {
          const float* q = qkv + (row0 + i) * s.qkv_stride + static_cast<int64_t>(h) * hd;
          const float* dout_i = dout + (row0 + i) * s.out_stride + static_cast<int64_t>(h) * hd;
          const float* out_i = out + (row0 + i) * s.out_stride + static_cast<int64_t>(h) * hd;
          float* dq = dqkv + (row0 + i) * s.qkv_stride + static_cast<int64_t>(h) * hd;
          std::memset(dq, 0, sizeof(float) * hd);
          const float l = lse[(static_cast<int64_t>(b) * H + h) * T + i];
          const float D = dot(dout_i, out_i, hd);
          for (int j = 0; j <= i; ++j) {
            if (!visible(seg, row0, i, j)) continue;
            const float* k = qkv + (row0 + j) * s.qkv_stride + k_off + static_cast<int64_t>(kvh) * hd;
            const float* v = qkv + (row0 + j) * s.qkv_stride + v_off + static_cast<int64_t>(kvh) * hd;
            float* dk = dqkv + (row0 + j) * s.qkv_stride + k_off + static_cast<int64_t>(kvh) * hd;
            float* dv = dqkv + (row0 + j) * s.qkv_stride + v_off + static_cast<int64_t>(kvh) * hd;
            const float p = std::exp(dot(q, k, hd) * s.scale - l);
            const float ds = p * (dot(dout_i, v, hd) - D) * s.scale;
            axpy(dv, p, dout_i, hd);
            axpy(dq, ds, k, hd);
            axpy(dk, ds, q, hd);
          }
        }
      }
    }
  }
}

}  // namespace dsmath::cpu
