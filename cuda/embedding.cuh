#pragma once
// Token embedding (CPU twin: backend/cpu/embedding.cpp). Forward gathers rows: 4 bytes per
// element (bf16 read + write). Backward adds each position's gradient to its token's row
// without atomics: positions are grouped by token on the host (embedding_buckets.hpp), and
// one block per distinct token sums its positions in order (deterministic); reads 2 bytes per
// gradient element, reads and writes each used row of dtable once.
#include <cuda_runtime.h>

#include "backend/tensor.hpp"

namespace dsmath::cuda {

void launch_embedding_forward(Tensor out, const int32_t* tokens, Tensor table, int64_t n_tokens, int dim,
                              cudaStream_t stream);
// packed_buckets: EmbeddingBuckets::packed() in device memory (n_rows distinct tokens).
void launch_embedding_backward(Tensor dtable, const int32_t* packed_buckets, int64_t n_rows, int64_t n_tokens,
                               Tensor dout, int dim, cudaStream_t stream);

}  // namespace dsmath::cuda
