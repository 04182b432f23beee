#pragma once
// Flash-attention backward for causal GQA with segment ids (CPU twin:
// backend/cpu/attention.cpp). Probabilities are recomputed from the forward's log-sum-exp:
//   P = exp(S - lse), D_i = dout_i . out_i, dS = P (dout V^T - D) * scale,
//   dV = P^T dout, dK = dS^T Q, dQ = dS K.
// Deterministic, without atomics: one kernel owns a key tile and walks the query tiles (and
// the query heads of its GQA group) accumulating dK, dV in registers; a second owns a query
// tile and walks the key tiles accumulating dQ. Each recomputes S and dP, so the backward
// costs 7 instead of 5 tile products: 14 * T^2 / 2 * head_dim FLOPs per head and sequence.
// Bytes: qkv, out, dout, dqkv once per tile pass, 2 bytes per element, plus D (4 bytes per row).
// RoPE's backward can be folded in (RopeFold): dQ and dK are rotated back in registers before
// they are stored, which saves rope_backward's read and write of the query and key columns.
#include <cuda_runtime.h>

#include "backend/backend.hpp"

namespace dsmath::cuda {

size_t attention_backward_scratch_bytes(const AttentionShape& shape);
// dqkv overwritten (query, key and value columns of every row < seq). With rope.positions, dQ
// and dK are rotated back in registers before they are stored (rope_backward folded in).
void launch_attention_backward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, const float* lse,
                               const int32_t* segment_ids, const AttentionShape& shape, const RopeFold& rope,
                               void* scratch, cudaStream_t stream);

}  // namespace dsmath::cuda
