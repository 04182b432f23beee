#pragma once
// fp32 reference implementations of every Backend op (the CPU twins of cuda/*.cu). One .cpp
// per op; each is parallel with OpenMP and deterministic: the result does not depend on the
// thread count (reductions run in a fixed order over fixed chunks; GEMMs in fixed tiles, see
// matmul.cpp), so CPU runs resume bit for bit, with any thread count, on the same machine.
#include <cstdint>

#include "backend/backend.hpp"

namespace dsmath::cpu {

void embedding_forward(float* out, const int32_t* tokens, const float* table, int64_t n_tokens, int dim);
void embedding_backward(float* dtable, const int32_t* tokens, const float* dout, int64_t n_tokens, int dim);

void rmsnorm_forward(float* out, float* rstd, const float* in, const float* weight, int64_t rows, int dim, float eps);
void rmsnorm_backward(float* din, float* dweight, const float* dout, const float* in, const float* weight,
                      const float* rstd, int64_t rows, int dim);

void matmul(float* c, const float* a, const float* b, const GemmShape& shape, float alpha, float beta);

void rope_forward(float* x, const int32_t* positions, const RopeShape& shape);
void rope_backward(float* dx, const int32_t* positions, const RopeShape& shape);

void attention_forward(float* out, float* lse, const float* qkv, const int32_t* segment_ids, const AttentionShape& s);
void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* out, const float* lse,
                        const int32_t* segment_ids, const AttentionShape& s);

void kv_cache_write(float* k_cache, float* v_cache, const float* qkv, const int32_t* slots, const int32_t* positions,
                    int64_t n_tokens, const AttentionShape& s, const KvCacheShape& c);
void attention_decode(float* out, const float* qkv, const float* k_cache, const float* v_cache, const int32_t* slots,
                      const int32_t* lengths, const AttentionShape& s, const KvCacheShape& c);

void swiglu_forward(float* out, const float* gate_up, int64_t rows, int ffn);
void swiglu_backward(float* dgate_up, const float* dout, const float* gate_up, int64_t rows, int ffn);

void add(float* out, const float* a, const float* b, int64_t n);

void token_logprobs_forward(float* logp, float* entropy, const float* logits, const int32_t* targets, int64_t rows,
                            int vocab);
void token_logprobs_backward(float* dlogits, const float* logits, const int32_t* targets, const float* dlogp,
                             int64_t rows, int vocab);

// Backend::sample_tokens (backend/sampling_rule.hpp); rows in parallel.
void sample_tokens(int32_t* tokens, float* logprobs, const float* logits, const uint64_t* draw_keys, int64_t rows,
                   int vocab, const SamplingSpec& spec);

double sum_squares(const float* x, int64_t n);
void scale(float* x, int64_t n, float factor);
// params, grads, m, v all fp32 here.
void adamw_update(float* params, const float* grads, float* m, float* v, int64_t n, float lr, float beta1, float beta2,
                  float eps, float weight_decay, float grad_scale, int64_t step);

}  // namespace dsmath::cpu
