#pragma once
// The fp32 CPU backend: host memory, OpenMP loops, OpenBLAS GEMMs. The reference every other
// backend is tested against.
#include "backend/backend.hpp"

namespace dsmath {

class CpuBackend final : public Backend {
 public:
  // threads <= 0: OpenMP's default (all cores)
  explicit CpuBackend(int threads = 0);

  DeviceKind kind() const override { return DeviceKind::cpu; }
  std::string description() const override;
  DType compute_dtype() const override { return DType::f32; }
  int threads() const { return threads_; }
  double peak_flops() const override;
  size_t memory_in_use() const override;
  size_t memory_available() const override;

  Buffer allocate(size_t bytes) override;
  void release(void* data) override;
  void upload(void* dst, const void* host_src, size_t bytes) override;
  void download(void* host_dst, const void* src, size_t bytes) override;
  void copy(void* dst, const void* src, size_t bytes) override;
  void fill_zero(void* dst, size_t bytes) override;
  void convert(Tensor dst, Tensor src, int64_t n) override;

  void embedding_forward(Tensor out, const int32_t* tokens, Tensor table, int64_t n_tokens, int dim) override;
  void embedding_backward(Tensor dtable, std::span<const int32_t> host_tokens, Tensor dout, int dim) override;
  void rmsnorm_forward(Tensor out, float* rstd, Tensor in, Tensor weight, int64_t rows, int dim, float eps) override;
  void rmsnorm_backward(Tensor din, Tensor dweight, Tensor dout, Tensor in, Tensor weight, const float* rstd,
                        int64_t rows, int dim) override;
  void matmul(Tensor c, Tensor a, Tensor b, const GemmShape& shape, float alpha, float beta) override;
  void matmul_add(Tensor d, Tensor a, Tensor b, Tensor c, const GemmShape& shape, float alpha) override;
  void rope_forward(Tensor x, const int32_t* positions, const RopeShape& shape) override;
  void rope_backward(Tensor dx, const int32_t* positions, const RopeShape& shape) override;
  void attention_forward(Tensor out, float* lse, Tensor qkv, const int32_t* segment_ids,
                         const AttentionShape& shape) override;
  void attention_backward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, const float* lse,
                          const int32_t* segment_ids, const AttentionShape& shape, const RopeFold& rope = {}) override;
  void kv_cache_write(Tensor k_cache, Tensor v_cache, Tensor qkv, const int32_t* slots, const int32_t* positions,
                      int64_t n_tokens, const AttentionShape& shape, const KvCacheShape& cache) override;
  void attention_decode(Tensor out, Tensor qkv, Tensor k_cache, Tensor v_cache, const int32_t* slots,
                        const int32_t* lengths, const AttentionShape& shape, const KvCacheShape& cache) override;
  void swiglu_forward(Tensor out, Tensor gate_up, int64_t rows, int ffn) override;
  void swiglu_backward(Tensor dgate_up, Tensor dout, Tensor gate_up, int64_t rows, int ffn) override;
  void add(Tensor out, Tensor a, Tensor b, int64_t n) override;
  void token_logprobs_forward(float* logp, float* entropy, Tensor logits, const int32_t* targets, int64_t rows,
                              int vocab) override;
  void token_logprobs_backward(Tensor dlogits, Tensor logits, const int32_t* targets, const float* dlogp, int64_t rows,
                               int vocab) override;
  void sample_tokens(int32_t* tokens, float* logprobs, Tensor logits, const uint64_t* draw_keys, int64_t rows, int vocab,
                     const SamplingSpec& spec) override;
  double sum_squares(Tensor x, int64_t n) override;
  void scale(Tensor x, int64_t n, float factor) override;
  void adamw_update(const AdamWArgs& args) override;

 private:
  int threads_;
};

}  // namespace dsmath
