#pragma once
// Generation with a key/value cache (CPU twin: backend/cpu/attention_decode.cpp).
// kv_cache_write copies each new token's key and value heads into its cache slot: 2 * 2 *
// kv_dim bytes read and written per token (bf16). attention_decode: one block per (row,
// query head, split of the cached positions); its 4 warps share the split's positions, each
// keeping an online softmax, merged at the end. Splits (flash-decoding) are used when rows x
// heads would leave SMs idle, so that batch 1 reads a long cache with every SM; their partial
// results (max, sum, unnormalized output in f32) are merged in split order by a second kernel,
// so the result does not depend on timing. Reads 2 * 2 * head_dim bytes per cached position per query head (the heads of
// a GQA group re-read the same keys from L2); 4 * head_dim FLOPs per position: memory-bound.
#include <cuda_runtime.h>

#include "backend/backend.hpp"

namespace dsmath::cuda {

void launch_kv_cache_write(Tensor k_cache, Tensor v_cache, Tensor qkv, const int32_t* slots, const int32_t* positions,
                           int64_t n_tokens, const AttentionShape& shape, const KvCacheShape& cache, cudaStream_t stream);
// Splits of the cached positions for this shape on a GPU of sm_count SMs, and the scratch they need.
int attention_decode_splits(const AttentionShape& shape, const KvCacheShape& cache, int sm_count);
size_t attention_decode_scratch_bytes(const AttentionShape& shape, const KvCacheShape& cache, int sm_count);
void launch_attention_decode(Tensor out, Tensor qkv, Tensor k_cache, Tensor v_cache, const int32_t* slots,
                             const int32_t* lengths, const AttentionShape& shape, const KvCacheShape& cache, int sm_count,
                             void* scratch, cudaStream_t stream);

}  // namespace dsmath::cuda
