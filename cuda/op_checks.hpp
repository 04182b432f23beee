#pragma once
// Argument checks of the CUDA backend's ops, on the host before any launch: a wrong dtype or
// an unsupported shape is an Error naming the op and operand, never a kernel fault. Host-only,
// unit-tested without a GPU.
#include <initializer_list>

#include "backend/backend.hpp"

namespace dsmath::cuda {

void require_dtype(const char* op, const char* operand, Tensor t, DType expected);
void require_dtype_in(const char* op, const char* operand, Tensor t, std::initializer_list<DType> allowed);

// The flash-attention kernels are instantiated for these head dimensions (tensor-core tiles
// are 16 wide; 64 and 128 are the LLaMA/DeepSeek ones, 16 and 32 the tiny test models').
constexpr int kFlashHeadDims[] = {16, 32, 64, 128};
bool flash_attention_supports_head_dim(int head_dim);
// Decode attention keeps one query per warp lane group; any head_dim up to 256 that is a
// multiple of 8 works.
bool decode_attention_supports_head_dim(int head_dim);

void check_attention_shape(const char* op, const AttentionShape& s);
// The attention kernels move 16-byte vectors (8 bf16) of each head row: the strides are
// checked by check_attention_shape, the base pointers here.
void require_vector_aligned(const char* op, const char* operand, Tensor t);
// rows: the tokens written (kv_cache_write, whose twin ignores s.batch) or the rows decoded
void check_decode_shape(const char* op, const AttentionShape& s, const KvCacheShape& c, int64_t rows);
void check_rope_shape(const char* op, const RopeShape& s);

}  // namespace dsmath::cuda
