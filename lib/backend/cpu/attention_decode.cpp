// Generation with a key/value cache: each new token's keys and values are stored once, and
// its query attends over the cached positions (so a decode step costs O(length), not O(length^2)).
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backend/cpu/cpu_ops.hpp"
#include "backend/cpu/vec.hpp"

namespace dsmath::cpu {

namespace {
inline int64_t cache_offset(const KvCacheShape& c, int slot, int pos) {
  return (static_cast<int64_t>(slot) * c.max_len + pos) * c.n_kv_heads * c.head_dim;
}
}  // namespace

void kv_cache_write(float* k_cache, float* v_cache, const float* qkv, const int32_t* slots, const int32_t* positions,
                    int64_t n_tokens, const AttentionShape& s, const KvCacheShape& c) {
  const int64_t kv = static_cast<int64_t>(c.n_kv_heads) * c.head_dim;
  const int64_t k_off = static_cast<int64_t>(s.n_heads) * s.head_dim;
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < n_tokens; ++t) {
    if (slots[t] < 0) continue;  // padding
    const float* row = qkv + t * s.qkv_stride;
    const int64_t dst = cache_offset(c, slots[t], positions[t]);
    std::memcpy(k_cache + dst, row + k_off, sizeof(float) * kv);
    std::memcpy(v_cache + dst, row + k_off + kv, sizeof(float) * kv);
  }
}

void attention_decode(float* out, const float* qkv, const float* k_cache, const float* v_cache, const int32_t* slots,
                      const int32_t* lengths, const AttentionShape& s, const KvCacheShape& c) {
  const int hd = s.head_dim;
  const int group = s.n_heads / s.n_kv_heads;
  const int64_t kv = static_cast<int64_t>(c.n_kv_heads) * hd;
#pragma omp parallel
  {
    std::vector<float> scores(static_cast<size_t>(c.max_len));
#pragma omp for collapse(2) schedule(static)
    for (int r = 0; r < s.batch; ++r) {
      for (int h = 0; h < s.n_heads; ++h) {
        const float* q = qkv + static_cast<int64_t>(r) * s.qkv_stride + static_cast<int64_t>(h) * hd;
        const int64_t base = cache_offset(c, slots[r], 0) + static_cast<int64_t>(h / group) * hd;
        const int len = lengths[r];
        float m = -std::numeric_limits<float>::infinity();
        for (int j = 0; j < len; ++j) {
          scores[static_cast<size_t>(j)] = dot(q, k_cache + base + j * kv, hd) * s.scale;
          m = std::max(m, scores[static_cast<size_t>(j)]);
        }
        float sum = 0.0f;
        for (int j = 0; j < len; ++j) {
          scores[static_cast<size_t>(j)] = std::exp(scores[static_cast<size_t>(j)] - m);
          sum += scores[static_cast<size_t>(j)];
        }
        float* o = out + static_cast<int64_t>(r) * s.out_stride + static_cast<int64_t>(h) * hd;
        std::memset(o, 0, sizeof(float) * hd);
        const float inv = 1.0f / sum;
        for (int j = 0; j < len; ++j) axpy(o, scores[static_cast<size_t>(j)] * inv, v_cache + base + j * kv, hd);
      }
    }
  }
}

}  // namespace dsmath::cpu
