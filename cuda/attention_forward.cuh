#pragma once
// Flash-attention forward (Dao et al. 2022, FlashAttention-2's loop order) for causal GQA
// with segment ids (CPU twin: backend/cpu/attention.cpp). One block per (64 queries, head,
// sequence) walks the key tiles up to the diagonal with an online softmax; no T x T matrix
// touches global memory, only out and the per-row log-sum-exp (for the backward).
// FLOPs: 4 * T^2 / 2 * head_dim per head and sequence (causal half of QK^T and PV).
// Bytes: Q, out once; K, V once per query tile (from L2), 2 bytes per element (bf16).
#include <cuda_runtime.h>

#include "backend/backend.hpp"

namespace dsmath::cuda {

// head_dim in 16, 32, 64, 128 (op_checks.hpp); out and qkv bf16, lse f32 [batch, heads, seq].
void launch_attention_forward(Tensor out, float* lse, Tensor qkv, const int32_t* segment_ids, const AttentionShape& shape,
                              cudaStream_t stream);

}  // namespace dsmath::cuda
