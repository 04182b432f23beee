#pragma once
// Keys and values of every layer for generation: [layers][slots, max_len, n_kv_heads, head_dim],
// one slot per sequence in flight. Stored in the backend's compute dtype.
#include <vector>

#include "backend/backend.hpp"
#include "model/model_config.hpp"

namespace dsmath {

class KvCache {
 public:
  KvCache(Backend& backend, const ModelConfig& config, int slots, int max_len);

  const KvCacheShape& shape() const { return shape_; }
  Tensor keys(int layer) const { return keys_[static_cast<size_t>(layer)].tensor(dtype_); }
  Tensor values(int layer) const { return values_[static_cast<size_t>(layer)].tensor(dtype_); }
  size_t bytes() const;
  // bytes a cache of this shape needs (to size it from free memory)
  static size_t bytes_for(const ModelConfig& config, int slots, int max_len, DType dtype);

 private:
  KvCacheShape shape_;
  DType dtype_;
  std::vector<Buffer> keys_, values_;
};

// New tokens for forward_with_cache: row r holds n_new[r] tokens (right-padded to seq) that go
// to cache slot slots[r] at positions start[r], start[r] + 1, ... A decode row with n_new 0 is
// padding (a batch padded to a captured shape): it writes nothing to the cache and attends to
// the first start[r] >= 1 cached tokens of its slot; its logits mean nothing.
struct CacheBatch {
  int rows = 0;
  int seq = 0;
  std::vector<int32_t> tokens;  // [rows * seq]
  std::vector<int32_t> n_new;   // [rows], 1..seq (0: a decode padding row)
  std::vector<int32_t> start;   // [rows]
  std::vector<int32_t> slots;   // [rows]
};

}  // namespace dsmath
