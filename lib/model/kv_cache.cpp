#include "model/kv_cache.hpp"

#include "core/error.hpp"

namespace dsmath {

size_t KvCache::bytes_for(const ModelConfig& c, int slots, int max_len, DType dtype) {
  return 2ULL * static_cast<size_t>(c.n_layers) * static_cast<size_t>(slots) * static_cast<size_t>(max_len) *
         static_cast<size_t>(c.kv_dim()) * dtype_size(dtype);
}

KvCache::KvCache(Backend& backend, const ModelConfig& c, int slots, int max_len)
    : shape_{slots, max_len, c.n_kv_heads, c.head_dim()}, dtype_(backend.compute_dtype()) {
  if (slots <= 0 || max_len <= 0) fail("KV cache needs slots and max_len > 0 (got {} and {})", slots, max_len);
  const size_t per_layer = static_cast<size_t>(slots) * static_cast<size_t>(max_len) * static_cast<size_t>(c.kv_dim()) *
                           dtype_size(dtype_);
  for (int l = 0; l < c.n_layers; ++l) {
    keys_.push_back(backend.allocate(per_layer));
    values_.push_back(backend.allocate(per_layer));
  }
}

size_t KvCache::bytes() const {
  size_t total = 0;
  for (const auto& b : keys_) total += b.bytes();
  for (const auto& b : values_) total += b.bytes();
  return total;
}

}  // namespace dsmath
