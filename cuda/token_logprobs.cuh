#pragma once
// Log-probabilities of target tokens and their gradient (CPU twin:
// backend/cpu/token_logprobs.cpp), straight from the bf16 logits the output-head GEMM wrote:
// no fp32 copy of the logits exists. One block per row computes max, sum of exp and (for the
// entropy) sum of exp * x in a single online pass (Milakov & Gimelshein 2018), fp32.
// Forward: 2 bytes per logit read once. Backward: two reads (log-sum-exp, then the gradient)
// and one write per logit, 6 bytes. A few FLOPs and one exp per logit each.
#include <cuda_runtime.h>

#include "backend/tensor.hpp"

namespace dsmath::cuda {

void launch_token_logprobs_forward(float* logp, float* entropy, Tensor logits, const int32_t* targets, int64_t rows,
                                   int vocab, cudaStream_t stream);
// dlogits may alias logits.
void launch_token_logprobs_backward(Tensor dlogits, Tensor logits, const int32_t* targets, const float* dlogp,
                                    int64_t rows, int vocab, cudaStream_t stream);

}  // namespace dsmath::cuda
