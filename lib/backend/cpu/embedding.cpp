#include <algorithm>
#include <cstring>

#include "backend/cpu/cpu_ops.hpp"

namespace dsmath::cpu {

void embedding_forward(float* out, const int32_t* tokens, const float* table, int64_t n_tokens, int dim) {
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < n_tokens; ++t)
    std::memcpy(out + t * dim, table + static_cast<int64_t>(tokens[t]) * dim, sizeof(float) * dim);
}

void embedding_backward(float* dtable, const int32_t* tokens, const float* dout, int64_t n_tokens, int dim) {
  // Threads own column slices and walk the tokens in order: no races on repeated tokens and
  // the same summation order for any thread count.
  constexpr int kSlice = 64;
  const int n_slices = (dim + kSlice - 1) / kSlice;
#pragma omp parallel for schedule(static)
  for (int s = 0; s < n_slices; ++s) {
    const int c0 = s * kSlice, c1 = std::min(dim, c0 + kSlice);
    for (int64_t t = 0; t < n_tokens; ++t) {
      float* row = dtable + static_cast<int64_t>(tokens[t]) * dim;
      const float* g = dout + t * dim;
      for (int c = c0; c < c1; ++c) row[c] += g[c];
    }
  }
}

}  // namespace dsmath::cpu
