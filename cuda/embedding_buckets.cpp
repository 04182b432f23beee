#include "cuda/embedding_buckets.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"

namespace dsmath::cuda {

EmbeddingBuckets bucket_tokens(std::span<const int32_t> tokens) {
  EmbeddingBuckets b;
  b.positions.resize(tokens.size());
  std::iota(b.positions.begin(), b.positions.end(), 0);
  // stable: positions of equal tokens stay ascending, which fixes the summation order
  std::stable_sort(b.positions.begin(), b.positions.end(),
                   [&](int32_t x, int32_t y) { return tokens[static_cast<size_t>(x)] < tokens[static_cast<size_t>(y)]; });
  for (size_t i = 0; i < b.positions.size(); ++i) {
    const int32_t token = tokens[static_cast<size_t>(b.positions[i])];
    if (token < 0) fail("embedding_backward: negative token id {} at position {}", token, b.positions[i]);
    if (b.rows.empty() || b.rows.back() != token) {
      b.rows.push_back(token);
      b.offsets.push_back(static_cast<int32_t>(i));
    }
  }
  b.offsets.push_back(static_cast<int32_t>(b.positions.size()));
  return b;
}

std::vector<int32_t> EmbeddingBuckets::packed() const {
  std::vector<int32_t> out;
  out.reserve(rows.size() + offsets.size() + positions.size());
  out.insert(out.end(), rows.begin(), rows.end());
  out.insert(out.end(), offsets.begin(), offsets.end());
  out.insert(out.end(), positions.begin(), positions.end());
  return out;
}

}  // namespace dsmath::cuda
