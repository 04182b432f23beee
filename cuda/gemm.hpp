#pragma once
// Backend::matmul through cuBLASLt: bf16 (or f32) operands, fp32 accumulation, C in bf16 or
// f32 (the f32 parameter gradients accumulate in place with beta = 1). Descriptors, layouts
// and the heuristic's algorithm are built once per GemmKey (gemm_plan.hpp) and reused; one
// 32 MiB workspace serves every call (cuBLAS's recommendation for Hopper).
//
// Epilogues: LLaMA has no biases or GELU, so the one fusion that saves a pass is the residual
// add, which the model already expresses as beta = 1 on C (x_out = x + act @ W^T), and the
// gradient accumulation over micro-batches and output-head chunks (dW += ...), also beta = 1.
// cuBLASLt reduces split-K partials "in place using counters to guarantee the sequentiality"
// (cublasLt.h), so a cached plan gives the same bits every run: resume stays exact.
#include <cuda_runtime.h>

#include <cstddef>
#include <memory>

#include "backend/backend.hpp"
#include "cuda/gemm_plan.hpp"

namespace dsmath::cuda {

class LtGemm {
 public:
  LtGemm(cudaStream_t stream, size_t workspace_bytes = size_t{32} << 20);
  ~LtGemm();
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;

  // d = alpha op(a) op(b) + beta c; c may be d (in place) or another tensor of d's layout
  void run(Tensor d, Tensor a, Tensor b, Tensor c, const GemmShape& shape, float alpha, float beta);

  size_t plans() const;
  int64_t plan_hits() const;
  size_t workspace_bytes() const { return workspace_bytes_; }

 private:
  struct Plan;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  size_t workspace_bytes_;
};

}  // namespace dsmath::cuda
