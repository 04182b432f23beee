#pragma once
// Generation with a key/value cache (CPU twin: backend/cpu/attention_decode.cpp).
// kv_cache_write copies each new token's key and value heads into its cache slot: 2 * 2 *
// kv_dim bytes read and written per token (bf16). attention_decode: one block per (row,
// query head); its 4 warps split the cached positions, each keeping an online softmax, merged
// at the end. Reads 2 * 2 * head_dim bytes per cached position per query head (the heads of
// a GQA group re-read the same keys from L2); 4 * head_dim FLOPs per position: memory-bound.
#include <cuda_runtime.h>

#include "backend/backend.hpp"

namespace dsmath::cuda {

void launch_kv_cache_write(Tensor k_cache, Tensor v_cache, Tensor qkv, const int32_t* slots, const int32_t* positions,
                           int64_t n_tokens, const AttentionShape& shape, const KvCacheShape& cache, cudaStream_t stream);
void launch_attention_decode(Tensor out, Tensor qkv, Tensor k_cache, Tensor v_cache, const int32_t* slots,
                             const int32_t* lengths, const AttentionShape& shape, const KvCacheShape& cache,
                             cudaStream_t stream);

}  // namespace dsmath::cuda
