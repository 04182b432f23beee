#pragma once
// The LLaMA decoder, forward and backward written once as explicit Backend calls on
// preallocated buffers (DESIGN.md section 3). Every stage uses it: pretraining and SFT through
// cross-entropy, GRPO through per-token log-probabilities, generation through the same weights.
//
// The model produces, for each position, log p(target | prefix). An objective turns those
// into a loss and hands back d loss / d logp; backward() takes it from there. This keeps every
// loss (cross-entropy, GRPO's clipped surrogate with KL) on the host in a few lines, while the
// heavy work stays in the backend.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "backend/backend.hpp"
#include "data/token_batch.hpp"
#include "model/kv_cache.hpp"
#include "model/model_config.hpp"
#include "model/parameter_layout.hpp"

namespace dsmath {

struct TransformerOptions {
  bool with_grads = true;              // allocate gradients (false for inference-only use)
  bool recompute_activations = false;  // keep only each layer's input; recompute in backward
  int64_t head_chunk_rows = 4096;      // output-head logits exist for this many tokens at a time
};

class Transformer {
 public:
  Transformer(const ModelConfig& config, Backend& backend, TransformerOptions options = {});

  const ModelConfig& config() const { return config_; }
  const ParameterLayout& layout() const { return layout_; }
  Backend& backend() const { return backend_; }
  int64_t num_params() const { return layout_.total(); }

  Tensor params() const { return params_.tensor(backend_.compute_dtype()); }
  Tensor grads() const { return grads_.tensor(backend_.grad_dtype()); }
  // Grows the flat parameter and gradient buffers to hold `elements` slots (at least
  // layout().total(); the tail stays zero and belongs to no parameter), so that collectives
  // over equal ZeRO-1 shards can move whole shards. Keeps the values.
  void reserve_flat(int64_t elements);

  // Normal(0, init_std) matrices, unit norm weights; depends only on the seed and tensor name.
  // Returns the drawn fp32 values (the device copy may be rounded to the compute dtype).
  std::vector<float> init_parameters(uint64_t seed);
  void set_parameters(std::span<const float> host_values);  // flat, layout().total() floats
  std::vector<float> get_parameters() const;
  std::vector<float> get_grads() const;
  void zero_grads();

  // Runs the model over the batch and computes log p(target) per position (0 where target < 0);
  // for a scalar-head model (reward model) the per-position value instead (targets unused).
  // With `for_backward`, activations are kept for backward(); `want_entropy` also computes the
  // entropy of each position's predictive distribution.
  void forward(const TokenBatch& batch, bool for_backward, bool want_entropy = false);
  std::span<const float> logprobs() const { return logp_host_; }
  // forward()'s log-probs (and entropies, and backward()'s gradient) are of softmax(logits / T):
  // RL scores what it sampled at temperature T (TRL divides its logits by the sampling
  // temperature likewise). T <= 0 (greedy) and the default 1 leave the logits as they are;
  // forward_with_cache's logits are never scaled (the sampler applies its own temperature).
  void set_logit_temperature(double temperature) { logit_scale_ = temperature > 0 ? static_cast<float>(1.0 / temperature) : 1.0f; }
  std::span<const float> entropy() const { return entropy_host_; }

  // Accumulates into grads() the gradient of sum_t dlogp[t] * logp[t] (the chain rule from a
  // host-side objective), for the batch of the last forward(for_backward = true).
  // `grads_ready(begin, end)` (optional) is called as soon as the flat range [begin, end) of
  // gradients is final: the output head first, then each layer from the last to the first,
  // the embeddings last. Data parallelism starts reducing a range while backward goes on.
  using GradsReady = std::function<void(int64_t begin, int64_t end)>;
  void backward(std::span<const float> dlogp, const GradsReady& grads_ready = {});

  // Generation: runs new tokens through the model, storing their keys/values in `cache`, and
  // hands over the next-token logits after each row's last new token: `on_logits(logits,
  // first_row, rows)` per chunk of at most head_chunk_rows rows, the logits [rows x vocab] in
  // backend memory (compute dtype), valid during the call (the generation engine samples them
  // there). seq > 1 is a prefill of empty slots (start 0); seq == 1 is a decode step after
  // start[r] cached tokens.
  using LogitsChunk = std::function<void(Tensor logits, int64_t first_row, int64_t rows)>;
  void forward_with_cache(const CacheBatch& batch, KvCache& cache, const LogitsChunk& on_logits);
  // The same with the logits copied to the host ([rows x vocab], fp32).
  void forward_with_cache(const CacheBatch& batch, KvCache& cache, std::vector<float>& last_logits);
  // forward_with_cache in two halves, for a caller that captures the device work once and replays
  // it (Backend::capture): stage_cache_batch checks the batch and writes its inputs to pinned host
  // memory (waiting first for work that may still read them); enqueue_cache_batch queues their
  // upload and every op of the step for the staged shape, and nothing else, so that a capture of
  // it replays the step for any batch of the same shape staged later.
  void stage_cache_batch(const CacheBatch& batch, KvCache& cache);
  void enqueue_cache_batch(const LogitsChunk& on_logits);
  // Changes whenever memory that enqueued work uses was reallocated (activations grown, the flat
  // parameters resized, the backend's scratch): captures made before are stale.
  uint64_t address_epoch() const { return reallocations_ + backend_.address_epoch(); }

 private:
  struct LayerActs {
    Tensor norm1, qkv, attn, x_mid, norm2, gate_up, act;
    float *rstd1 = nullptr, *lse = nullptr, *rstd2 = nullptr;
  };
  void ensure_capacity(int batch, int seq);
  void upload_batch(const TokenBatch& batch);
  LayerActs acts_for(int layer, bool for_backward);
  // How a layer's attention runs: training/scoring (causal over the batch), or generation
  // with a KV cache (prefill: causal over the new tokens; decode: one query over the cache).
  struct CachePlan {
    KvCache* cache = nullptr;
    bool decode = false;
    const int32_t* token_slots = nullptr;  // device, per token (-1 = padding)
    const int32_t* row_slots = nullptr;    // device, per row (decode)
    const int32_t* lengths = nullptr;      // device, per row (decode): cached tokens incl. the new one
  };
  void layer_forward(int l, Tensor x_in, Tensor x_out, const LayerActs& a, const CachePlan* plan = nullptr);
  void layer_backward(int l, Tensor x_in, const LayerActs& a, Tensor dres);
  void head_logits(int64_t row0, int64_t rows, float scale = 1.0f);
  AttentionShape attention_shape() const;
  RopeShape rope_shape() const;
  const int32_t* positions() const { return active_positions_; }
  const int32_t* segments() const { return has_segments_ ? static_cast<const int32_t*>(segments_.data()) : nullptr; }
  Tensor weight(int64_t offset) const { return params().offset(offset); }
  Tensor grad(int64_t offset) const { return grads().offset(offset); }
  Tensor act(const Buffer& b, int64_t elements = 0) const { return b.tensor(backend_.compute_dtype()).offset(elements); }
  float* f32(const Buffer& b, int64_t elements = 0) const { return static_cast<float*>(b.data()) + elements; }

  ModelConfig config_;
  Backend& backend_;
  TransformerOptions options_;
  ParameterLayout layout_;
  Buffer params_, grads_;

  // activation buffers, sized for capacity_tokens_
  int64_t capacity_tokens_ = 0;
  int batch_ = 0, seq_ = 0;
  bool has_segments_ = false;
  bool ready_for_backward_ = false;
  float logit_scale_ = 1.0f;    // 1 / temperature of forward()'s distribution
  bool logits_valid_ = false;  // single-chunk head: forward's logits can be reused in backward
  Buffer tokens_, targets_, positions_, segments_;
  std::vector<int32_t> tokens_host_;  // the last training forward's tokens, for embedding backward
  // generation: one step's inputs, uploaded at once (forward_with_cache)
  Buffer cache_inputs_, cache_inputs_host_;  // device, and pinned host (stage_cache_batch)
  struct StagedCacheBatch {
    KvCache* cache = nullptr;
    int rows = 0, seq = 0;
  } staged_;
  uint64_t reallocations_ = 0;
  const int32_t* active_positions_ = nullptr;  // positions_ (training forward) or cache_inputs_' (generation)
  std::vector<Buffer> residual_;  // n_layers + 1 residual streams [N, D]
  // saved per layer (or one set when recomputing / inference)
  std::vector<Buffer> norm1_, qkv_, attn_, x_mid_, norm2_, gate_up_, act_, rstd1_, lse_, rstd2_;
  Buffer normf_, rstdf_, logits_, logp_, entropy_, values_;
  // backward scratch
  Buffer dres_, dnorm_, dqkv_, dattn_, dgate_up_, dact_, dlogp_;
  std::vector<float> logp_host_, entropy_host_;
  std::vector<int32_t> positions_host_;
};

}  // namespace dsmath
