#pragma once
// Next-token sampling on the device (CPU twin: backend/cpu/sampling.cpp; the rule:
// backend/sampling_rule.hpp): one block per row finds the maximum and the softmax normalizer,
// the top-k and top-p floors by radix selection over the logits' order keys (four 8-bit passes
// each, counts or integer weights in per-warp shared histograms), then the token at the draw's
// target by a block-wide prefix sum of integer weights. Integer weights make every sum exact,
// so the result does not depend on the order of the additions: the CPU twin gives the same
// tokens on the same logits. Only the tokens and their log-probs (8 bytes per row) go back to
// the host, where the engine used to download 4 x vocab bytes per row and sample there.
// Bytes: the row's logits read 4 times (greedy: 2), plus 4 per active top-k or top-p pass.
#include <cuda_runtime.h>

#include "backend/backend.hpp"

namespace dsmath::cuda {

// logits bf16 or f32 [rows x vocab]; tokens, logprobs, draw_keys device memory of `rows` entries.
void launch_sample_tokens(int32_t* tokens, float* logprobs, Tensor logits, const uint64_t* draw_keys, int64_t rows,
                          int vocab, const SamplingSpec& spec, cudaStream_t stream);

}  // namespace dsmath::cuda
