#include "backend/cpu/cpu_backend.hpp"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "backend/cpu/cpu_ops.hpp"
#include "core/bf16.hpp"
#include "core/error.hpp"

namespace dsmath {

namespace {
float* f32(Tensor t, const char* op) {
  if (t.dtype != DType::f32) fail("cpu backend: {} got a {} tensor; the CPU backend computes in f32", op, dtype_name(t.dtype));
  return t.as<float>();
}
}  // namespace

CpuBackend::CpuBackend(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  // (OpenBLAS itself runs single-threaded: cpu::matmul spreads its tiles over these threads.)
  threads_ = omp_get_max_threads();
}

std::string CpuBackend::description() const {
  return fmt::format("cpu (fp32, {} threads, {})", threads_, openblas_get_config());
}

Buffer CpuBackend::allocate(size_t bytes) {
  const size_t rounded = ((bytes + 63) / 64) * 64;
  void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (p == nullptr) fail_hint("use a smaller batch or model", "cpu backend: out of memory allocating {} bytes", bytes);
  return Buffer(this, p, bytes);
}

void CpuBackend::release(void* data) { std::free(data); }
void CpuBackend::upload(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
void CpuBackend::download(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
void CpuBackend::copy(void* dst, const void* src, size_t bytes) { std::memmove(dst, src, bytes); }
void CpuBackend::fill_zero(void* dst, size_t bytes) { std::memset(dst, 0, bytes); }

void CpuBackend::convert(Tensor dst, Tensor src, int64_t n) {
  auto load = [&](int64_t i) -> float {
    switch (src.dtype) {
      case DType::f32: return src.as<float>()[i];
      case DType::bf16: return bf16_bits_to_float(src.as<uint16_t>()[i]);
      case DType::f16: return fp16_bits_to_float(src.as<uint16_t>()[i]);
      default: fail("convert: unsupported source dtype {}", dtype_name(src.dtype));
    }
  };
  for (int64_t i = 0; i < n; ++i) {
    const float x = load(i);
    switch (dst.dtype) {
      case DType::f32: dst.as<float>()[i] = x; break;
      case DType::bf16: dst.as<uint16_t>()[i] = float_to_bf16_bits(x); break;
      case DType::f16: dst.as<uint16_t>()[i] = float_to_fp16_bits(x); break;
      default: fail("convert: unsupported destination dtype {}", dtype_name(dst.dtype));
    }
  }
}

void CpuBackend::embedding_forward(Tensor out, const int32_t* tokens, Tensor table, int64_t n_tokens, int dim) {
  cpu::embedding_forward(f32(out, "embedding"), tokens, f32(table, "embedding"), n_tokens, dim);
}
void CpuBackend::embedding_backward(Tensor dtable, std::span<const int32_t> host_tokens, Tensor dout, int dim) {
  cpu::embedding_backward(f32(dtable, "embedding_backward"), host_tokens.data(), f32(dout, "embedding_backward"),
                          static_cast<int64_t>(host_tokens.size()), dim);
}
void CpuBackend::rmsnorm_forward(Tensor out, float* rstd, Tensor in, Tensor weight, int64_t rows, int dim, float eps) {
  cpu::rmsnorm_forward(f32(out, "rmsnorm"), rstd, f32(in, "rmsnorm"), f32(weight, "rmsnorm"), rows, dim, eps);
}
void CpuBackend::rmsnorm_backward(Tensor din, Tensor dweight, Tensor dout, Tensor in, Tensor weight, const float* rstd,
                                  int64_t rows, int dim) {
  cpu::rmsnorm_backward(f32(din, "rmsnorm_backward"), f32(dweight, "rmsnorm_backward"), f32(dout, "rmsnorm_backward"),
                        f32(in, "rmsnorm_backward"), f32(weight, "rmsnorm_backward"), rstd, rows, dim);
}
void CpuBackend::matmul(Tensor c, Tensor a, Tensor b, const GemmShape& shape, float alpha, float beta) {
  cpu::matmul(f32(c, "matmul"), f32(a, "matmul"), f32(b, "matmul"), shape, alpha, beta);
}
void CpuBackend::matmul_add(Tensor d, Tensor a, Tensor b, Tensor c, const GemmShape& shape, float alpha) {
  // BLAS accumulates in place: C into D first (the copy a GPU saves; here it is cheap)
  const int64_t ldc = shape.ldc > 0 ? shape.ldc : shape.n;
  float* dst = f32(d, "matmul_add");
  const float* src = f32(c, "matmul_add");
  for (int64_t r = 0; r < shape.m; ++r) std::copy(src + r * ldc, src + r * ldc + shape.n, dst + r * ldc);
  cpu::matmul(dst, f32(a, "matmul_add"), f32(b, "matmul_add"), shape, alpha, 1.0f);
}
void CpuBackend::rope_forward(Tensor x, const int32_t* positions, const RopeShape& shape) {
  cpu::rope_forward(f32(x, "rope"), positions, shape);
}
void CpuBackend::rope_backward(Tensor dx, const int32_t* positions, const RopeShape& shape) {
  cpu::rope_backward(f32(dx, "rope_backward"), positions, shape);
}
void CpuBackend::attention_forward(Tensor out, float* lse, Tensor qkv, const int32_t* segment_ids,
                                   const AttentionShape& shape) {
  cpu::attention_forward(f32(out, "attention"), lse, f32(qkv, "attention"), segment_ids, shape);
}
void CpuBackend::attention_backward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, const float* lse,
                                    const int32_t* segment_ids, const AttentionShape& shape, const RopeFold& rope) {
  cpu::attention_backward(f32(dqkv, "attention_backward"), f32(dout, "attention_backward"),
                          f32(qkv, "attention_backward"), f32(out, "attention_backward"), lse, segment_ids, shape);
  // the CPU twin of the fold is the rotation applied after (the same arithmetic, one more pass)
  if (rope.positions != nullptr)
    cpu::rope_backward(f32(dqkv, "attention_backward"), rope.positions,
                       {static_cast<int64_t>(shape.batch) * shape.seq, shape.n_heads + shape.n_kv_heads, shape.head_dim,
                        shape.qkv_stride, rope.theta});
}
void CpuBackend::kv_cache_write(Tensor k_cache, Tensor v_cache, Tensor qkv, const int32_t* slots,
                                const int32_t* positions, int64_t n_tokens, const AttentionShape& shape,
                                const KvCacheShape& cache) {
  cpu::kv_cache_write(f32(k_cache, "kv_cache_write"), f32(v_cache, "kv_cache_write"), f32(qkv, "kv_cache_write"), slots,
                      positions, n_tokens, shape, cache);
}
void CpuBackend::attention_decode(Tensor out, Tensor qkv, Tensor k_cache, Tensor v_cache, const int32_t* slots,
                                  const int32_t* lengths, const AttentionShape& shape, const KvCacheShape& cache) {
  cpu::attention_decode(f32(out, "attention_decode"), f32(qkv, "attention_decode"), f32(k_cache, "attention_decode"),
                        f32(v_cache, "attention_decode"), slots, lengths, shape, cache);
}
void CpuBackend::swiglu_forward(Tensor out, Tensor gate_up, int64_t rows, int ffn) {
  cpu::swiglu_forward(f32(out, "swiglu"), f32(gate_up, "swiglu"), rows, ffn);
}
void CpuBackend::swiglu_backward(Tensor dgate_up, Tensor dout, Tensor gate_up, int64_t rows, int ffn) {
  cpu::swiglu_backward(f32(dgate_up, "swiglu_backward"), f32(dout, "swiglu_backward"), f32(gate_up, "swiglu_backward"),
                       rows, ffn);
}
void CpuBackend::add(Tensor out, Tensor a, Tensor b, int64_t n) {
  cpu::add(f32(out, "add"), f32(a, "add"), f32(b, "add"), n);
}
void CpuBackend::token_logprobs_forward(float* logp, float* entropy, Tensor logits, const int32_t* targets,
                                        int64_t rows, int vocab) {
  cpu::token_logprobs_forward(logp, entropy, f32(logits, "token_logprobs"), targets, rows, vocab);
}
void CpuBackend::token_logprobs_backward(Tensor dlogits, Tensor logits, const int32_t* targets, const float* dlogp,
                                         int64_t rows, int vocab) {
  cpu::token_logprobs_backward(f32(dlogits, "token_logprobs_backward"), f32(logits, "token_logprobs_backward"), targets,
                               dlogp, rows, vocab);
}
void CpuBackend::sample_tokens(int32_t* tokens, float* logprobs, Tensor logits, const uint64_t* draw_keys, int64_t rows,
                               int vocab, const SamplingSpec& spec) {
  cpu::sample_tokens(tokens, logprobs, f32(logits, "sample_tokens"), draw_keys, rows, vocab, spec);
}
double CpuBackend::sum_squares(Tensor x, int64_t n) { return cpu::sum_squares(f32(x, "sum_squares"), n); }
void CpuBackend::scale(Tensor x, int64_t n, float factor) { cpu::scale(f32(x, "scale"), n, factor); }
void CpuBackend::adamw_update(const AdamWArgs& a) {
  DSMATH_CHECK(!a.params_copy, "the CPU backend keeps one fp32 copy of the weights");
  cpu::adamw_update(f32(a.params, "adamw"), f32(a.grads, "adamw"), f32(a.m, "adamw"), f32(a.v, "adamw"), a.n, a.lr,
                    a.beta1, a.beta2, a.eps, a.weight_decay, a.grad_scale, a.step);
}

}  // namespace dsmath
