#pragma once
// The CUDA backend: bf16 weights and activations, fp32 accumulation everywhere, f32 parameter
// gradients, fp32 master weights and AdamW moments (f32 or bf16) in lib/optim. Every op runs
// on one stream, in order; cuBLASLt for the GEMMs, hand-written kernels (one .cu/.cuh per op,
// each with its CPU twin in lib/backend/cpu) for the rest. All reductions run in a fixed order
// without atomics, so a run is bit-for-bit repeatable on the same GPU model (resume is exact).
// See docs/cuda.md.
#include <cuda_runtime.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "backend/backend.hpp"
#include "cuda/gemm.hpp"
#include "cuda/peak_flops.hpp"

namespace dsmath::cuda {

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int device);
  ~CudaBackend() override;

  DeviceKind kind() const override { return DeviceKind::cuda; }
  std::string description() const override;
  DType compute_dtype() const override { return DType::bf16; }
  // f32: weight gradients accumulate over micro-batches and output-head chunks (beta = 1
  // GEMMs), where bf16's 8-bit mantissa would drop small contributions (docs/cuda.md).
  DType grad_dtype() const override { return DType::f32; }
  double peak_flops() const override { return peak_.flops; }
  size_t memory_in_use() const override { return allocated_bytes_ + internal_bytes(); }
  size_t memory_available() const override;
  void synchronize() override;

  Buffer allocate(size_t bytes) override;
  void release(void* data) override;
  void upload(void* dst, const void* host_src, size_t bytes) override;
  void download(void* host_dst, const void* src, size_t bytes) override;
  void copy(void* dst, const void* src, size_t bytes) override;
  void fill_zero(void* dst, size_t bytes) override;
  Buffer allocate_pinned(size_t bytes) override;
  void release_pinned(void* data) override;
  void upload_async(void* dst, const void* pinned_src, size_t bytes) override;
  void download_async(void* pinned_dst, const void* src, size_t bytes) override;
  bool can_capture() const override { return true; }
  std::unique_ptr<CapturedWork> capture(const std::function<void()>& work) override;
  uint64_t address_epoch() const override { return scratch_epoch_; }
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

  int device() const { return device_; }
  cudaStream_t stream() const { return stream_; }
  int sm_count() const { return sm_count_; }
  const LtGemm& gemm() const { return *gemm_; }

 private:
  // Grow-only device scratch for the ops that need it (one at a time, in stream order).
  void* scratch(size_t bytes);
  size_t internal_bytes() const { return scratch_bytes_ + gemm_->workspace_bytes(); }

  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  std::string name_;
  int sm_count_ = 0, cc_major_ = 0, cc_minor_ = 0;
  size_t total_memory_ = 0;
  GpuPeak peak_;
  std::unique_ptr<LtGemm> gemm_;
  void* scratch_ = nullptr;
  size_t scratch_bytes_ = 0;
  uint64_t scratch_epoch_ = 0;  // counts scratch reallocations (address_epoch)
  bool capturing_ = false;
  std::unordered_map<void*, size_t> allocations_;
  size_t allocated_bytes_ = 0;
};

}  // namespace dsmath::cuda
