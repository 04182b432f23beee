#include "cuda/op_checks.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/error.hpp"

namespace dsmath::cuda {

void require_dtype(const char* op, const char* operand, Tensor t, DType expected) {
  if (t.dtype != expected)
    fail_hint("the CUDA backend keeps weights and activations in bf16, per-row statistics in f32 and gradients in f32 "
              "(docs/cuda.md)",
              "cuda backend: {}: {} is {}, expected {}", op, operand, dtype_name(t.dtype), dtype_name(expected));
  if (!t) fail("cuda backend: {}: {} is a null pointer", op, operand);
}

void require_dtype_in(const char* op, const char* operand, Tensor t, std::initializer_list<DType> allowed) {
  if (std::find(allowed.begin(), allowed.end(), t.dtype) == allowed.end()) {
    std::string names;
    for (DType d : allowed) names += (names.empty() ? "" : " or ") + std::string(dtype_name(d));
    fail_hint("see docs/cuda.md for the dtypes of each operand", "cuda backend: {}: {} is {}, expected {}", op, operand,
              dtype_name(t.dtype), names);
  }
  if (!t) fail("cuda backend: {}: {} is a null pointer", op, operand);
}

bool flash_attention_supports_head_dim(int head_dim) {
  return std::find(std::begin(kFlashHeadDims), std::end(kFlashHeadDims), head_dim) != std::end(kFlashHeadDims);
}

bool decode_attention_supports_head_dim(int head_dim) { return head_dim > 0 && head_dim <= 256 && head_dim % 8 == 0; }

void check_attention_shape(const char* op, const AttentionShape& s) {
  if (s.batch <= 0 || s.seq <= 0) fail("cuda backend: {}: empty batch {} x {}", op, s.batch, s.seq);
  if (s.n_heads <= 0 || s.n_kv_heads <= 0 || s.n_heads % s.n_kv_heads != 0)
    fail("cuda backend: {}: n_heads {} must be a positive multiple of n_kv_heads {}", op, s.n_heads, s.n_kv_heads);
  if (!flash_attention_supports_head_dim(s.head_dim))
    fail_hint("use a model whose dim / n_heads is 16, 32, 64 or 128, or --device cpu",
              "cuda backend: {}: head_dim {} has no flash-attention kernel", op, s.head_dim);
  const int64_t qkv_width = static_cast<int64_t>(s.n_heads + 2 * s.n_kv_heads) * s.head_dim;
  if (s.qkv_stride < qkv_width || s.out_stride < static_cast<int64_t>(s.n_heads) * s.head_dim)
    fail("cuda backend: {}: row strides qkv {} / out {} are narrower than the heads they hold ({} / {})", op, s.qkv_stride,
         s.out_stride, qkv_width, static_cast<int64_t>(s.n_heads) * s.head_dim);
  // the kernels move 16-byte vectors (8 bf16) of each head row
  if (s.qkv_stride % 8 != 0 || s.out_stride % 8 != 0)
    fail("cuda backend: {}: row strides qkv {} / out {} must be multiples of 8 elements", op, s.qkv_stride, s.out_stride);
  if (!(s.scale > 0)) fail("cuda backend: {}: softmax scale {} must be positive", op, s.scale);
}

void require_vector_aligned(const char* op, const char* operand, Tensor t) {
  if (reinterpret_cast<uintptr_t>(t.data) % 16 != 0)
    fail("cuda backend: {}: {} at {} is not 16-byte aligned, which the kernel's vector loads need", op, operand, t.data);
}

void check_decode_shape(const char* op, const AttentionShape& s, const KvCacheShape& c, int64_t rows) {
  if (rows <= 0) fail("cuda backend: {}: no rows", op);
  if (s.n_heads <= 0 || s.n_kv_heads <= 0 || s.n_heads % s.n_kv_heads != 0)
    fail("cuda backend: {}: n_heads {} must be a positive multiple of n_kv_heads {}", op, s.n_heads, s.n_kv_heads);
  if (c.n_kv_heads != s.n_kv_heads || c.head_dim != s.head_dim)
    fail("cuda backend: {}: the cache holds {} heads of {}, the model {} of {}", op, c.n_kv_heads, c.head_dim,
         s.n_kv_heads, s.head_dim);
  if (!decode_attention_supports_head_dim(s.head_dim))
    fail_hint("use --device cpu for this model", "cuda backend: {}: head_dim {} is not a multiple of 8 up to 256", op,
              s.head_dim);
  if (c.slots <= 0 || c.max_len <= 0) fail("cuda backend: {}: empty cache ({} slots x {})", op, c.slots, c.max_len);
  const int64_t qkv_width = static_cast<int64_t>(s.n_heads + 2 * s.n_kv_heads) * s.head_dim;
  if (s.qkv_stride < qkv_width || s.out_stride < static_cast<int64_t>(s.n_heads) * s.head_dim)
    fail("cuda backend: {}: row strides qkv {} / out {} are narrower than the heads they hold", op, s.qkv_stride,
         s.out_stride);
}

void check_rope_shape(const char* op, const RopeShape& s) {
  if (s.head_dim <= 0 || s.head_dim % 2 != 0 || s.head_dim > 256)
    fail("cuda backend: {}: head_dim {} must be even and at most 256", op, s.head_dim);
  if (static_cast<int64_t>(s.n_heads_rotated) * s.head_dim > s.row_stride)
    fail("cuda backend: {}: {} heads of {} do not fit in a row of {}", op, s.n_heads_rotated, s.head_dim, s.row_stride);
  if (s.n_tokens < 0 || !(s.theta > 0)) fail("cuda backend: {}: bad shape ({} tokens, theta {})", op, s.n_tokens, s.theta);
}

}  // namespace dsmath::cuda
