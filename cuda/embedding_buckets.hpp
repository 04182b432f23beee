#pragma once
// Deterministic embedding backward without atomics: the token positions grouped by token id
// (ascending ids, positions ascending within a group), so that one GPU thread block sums each
// used row's gradient in a fixed order. Built on the host from the batch's token ids (a few
// thousand to a few hundred thousand ints, once per backward). Host-only, unit-tested.
#include <cstdint>
#include <span>
#include <vector>

namespace dsmath::cuda {

struct EmbeddingBuckets {
  std::vector<int32_t> rows;       // distinct token ids, ascending
  std::vector<int32_t> offsets;    // rows.size() + 1 boundaries into positions
  std::vector<int32_t> positions;  // every t with tokens[t] == rows[u] at offsets[u]..offsets[u+1]

  // rows, offsets and positions back to back, the layout the kernel reads
  std::vector<int32_t> packed() const;
};

EmbeddingBuckets bucket_tokens(std::span<const int32_t> tokens);

}  // namespace dsmath::cuda
