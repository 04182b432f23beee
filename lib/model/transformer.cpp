#include "model/transformer.hpp"

#include <algorithm>
#include <cmath>

#include "backend/transfer.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/hash.hpp"

namespace dsmath {

Transformer::Transformer(const ModelConfig& config, Backend& backend, TransformerOptions options)
    : config_(config), backend_(backend), options_(options), layout_(config) {
  config_.validate();
  DSMATH_CHECK(options_.head_chunk_rows > 0, "head_chunk_rows {}", options_.head_chunk_rows);
  params_ = backend_.allocate(static_cast<size_t>(layout_.total()) * dtype_size(backend_.compute_dtype()));
  backend_.fill_zero(params_.data(), params_.bytes());
  if (options_.with_grads) {
    grads_ = backend_.allocate(static_cast<size_t>(layout_.total()) * dtype_size(backend_.grad_dtype()));
    backend_.fill_zero(grads_.data(), grads_.bytes());
  }
}

void Transformer::reserve_flat(int64_t elements) {
  auto grow = [&](Buffer& buffer, DType dtype) {
    const size_t bytes = static_cast<size_t>(elements) * dtype_size(dtype);
    if (!buffer.data() || bytes <= buffer.bytes()) return;
    ++reallocations_;
    Buffer bigger = backend_.allocate(bytes);
    backend_.fill_zero(bigger.data(), bytes);
    backend_.copy(bigger.data(), buffer.data(), buffer.bytes());
    buffer = std::move(bigger);
  };
  grow(params_, backend_.compute_dtype());
  grow(grads_, backend_.grad_dtype());
}

std::vector<float> Transformer::init_parameters(uint64_t seed) {
  std::vector<float> host(static_cast<size_t>(layout_.total()), 0.0f);
  for (const auto& t : layout_.tensors()) {
    float* p = host.data() + t.offset;
    if (t.shape.size() == 1) {  // RMSNorm weights start at 1
      std::fill(p, p + t.numel, 1.0f);
      continue;
    }
    // One stream per tensor name: adding or reordering tensors does not change the others.
    Rng rng(seed ^ hash64(t.name));
    for (int64_t i = 0; i < t.numel; ++i) p[i] = static_cast<float>(rng.normal() * config_.init_std);
  }
  set_parameters(host);
  return host;
}

void Transformer::set_parameters(std::span<const float> host) {
  if (static_cast<int64_t>(host.size()) != layout_.total())
    fail("set_parameters: got {} values for a model with {} parameter slots", host.size(), layout_.total());
  upload_f32(backend_, params(), host);
}

std::vector<float> Transformer::get_parameters() const {
  std::vector<float> host(static_cast<size_t>(layout_.total()));
  download_f32(backend_, params(), host);
  return host;
}

std::vector<float> Transformer::get_grads() const {
  DSMATH_CHECK(options_.with_grads, "model built without gradients");
  std::vector<float> host(static_cast<size_t>(layout_.total()));
  download_f32(backend_, grads(), host);
  return host;
}

void Transformer::zero_grads() {
  DSMATH_CHECK(options_.with_grads, "model built without gradients");
  backend_.fill_zero(grads_.data(), grads_.bytes());
}

void Transformer::ensure_capacity(int batch, int seq) {
  const int64_t n = static_cast<int64_t>(batch) * seq;
  batch_ = batch;
  seq_ = seq;
  if (n <= capacity_tokens_) return;
  capacity_tokens_ = n;
  ++reallocations_;
  const ModelConfig& c = config_;
  const size_t e = dtype_size(backend_.compute_dtype());
  auto alloc = [&](int64_t elements, size_t elem_bytes) { return backend_.allocate(static_cast<size_t>(elements) * elem_bytes); };
  tokens_ = alloc(n, 4);
  targets_ = alloc(n, 4);
  positions_ = alloc(n, 4);
  segments_ = alloc(n, 4);
  cache_inputs_ = alloc(6 * n, 4);
  cache_inputs_host_ = backend_.allocate_pinned(static_cast<size_t>(6 * n) * 4);
  residual_.clear();
  for (int l = 0; l <= c.n_layers; ++l) residual_.push_back(alloc(n * c.dim, e));
  // Per-layer saved activations; one set serves every layer when recomputing.
  const int sets = options_.recompute_activations ? 1 : c.n_layers;
  auto make = [&](std::vector<Buffer>& v, int64_t elements, size_t bytes) {
    v.clear();
    for (int i = 0; i < sets; ++i) v.push_back(alloc(elements, bytes));
  };
  make(norm1_, n * c.dim, e);
  make(qkv_, n * c.qkv_dim(), e);
  make(attn_, n * c.dim, e);
  make(x_mid_, n * c.dim, e);
  make(norm2_, n * c.dim, e);
  make(gate_up_, n * 2 * c.ffn_dim, e);
  make(act_, n * c.ffn_dim, e);
  make(rstd1_, n, 4);
  make(lse_, n * c.n_heads, 4);
  make(rstd2_, n, 4);
  normf_ = alloc(n * c.dim, e);
  rstdf_ = alloc(n, 4);
  logits_ = alloc(std::min(n, options_.head_chunk_rows) * c.vocab_size, e);
  logp_ = alloc(n, 4);
  entropy_ = alloc(n, 4);
  values_ = alloc(n, e);  // scalar head outputs / their gradients, compute dtype
  if (options_.with_grads) {
    dres_ = alloc(n * c.dim, e);
    dnorm_ = alloc(n * c.dim, e);
    dqkv_ = alloc(n * c.qkv_dim(), e);
    dattn_ = alloc(n * c.dim, e);
    dgate_up_ = alloc(n * 2 * c.ffn_dim, e);
    dact_ = alloc(n * c.ffn_dim, e);
    dlogp_ = alloc(n, 4);
  }
}

void Transformer::upload_batch(const TokenBatch& b) {
  const int64_t n = b.size();
  if (b.batch <= 0 || b.seq <= 0) fail("forward: empty batch ({} x {})", b.batch, b.seq);
  if (static_cast<int64_t>(b.tokens.size()) != n || static_cast<int64_t>(b.targets.size()) != n)
    fail("forward: batch {}x{} needs {} tokens and targets, got {} and {}", b.batch, b.seq, n, b.tokens.size(),
         b.targets.size());
  if (b.seq > config_.max_seq_len)
    fail_hint("raise model.max_seq_len (RoPE extrapolates poorly) or shorten the sequences",
              "sequence length {} exceeds the model's max_seq_len {}", b.seq, config_.max_seq_len);
  for (int64_t i = 0; i < n; ++i) {
    if (b.tokens[i] < 0 || b.tokens[i] >= config_.vocab_size)
      fail_hint("the tokenizer does not match the model: check tokenizer and model.vocab_size",
                "token id {} at position {} is outside the model's vocabulary [0, {})", b.tokens[i], i,
                config_.vocab_size);
    if (b.targets[i] >= config_.vocab_size)
      fail_hint("the tokenizer does not match the model", "target id {} at position {} is outside [0, {})", b.targets[i],
                i, config_.vocab_size);
  }
  active_positions_ = static_cast<const int32_t*>(positions_.data());
  backend_.upload(tokens_.data(), b.tokens.data(), n * 4);
  tokens_host_ = b.tokens;  // embedding backward groups positions by token on the host
  backend_.upload(targets_.data(), b.targets.data(), n * 4);
  if (!b.positions.empty()) {
    if (static_cast<int64_t>(b.positions.size()) != n) fail("forward: positions has {} entries, expected {}", b.positions.size(), n);
    backend_.upload(positions_.data(), b.positions.data(), n * 4);
  } else {
    positions_host_.resize(static_cast<size_t>(n));
    for (int r = 0; r < b.batch; ++r)
      for (int t = 0; t < b.seq; ++t) positions_host_[static_cast<size_t>(r) * b.seq + t] = t;
    backend_.upload(positions_.data(), positions_host_.data(), n * 4);
  }
  has_segments_ = !b.segments.empty();
  if (has_segments_) {
    if (static_cast<int64_t>(b.segments.size()) != n) fail("forward: segments has {} entries, expected {}", b.segments.size(), n);
    backend_.upload(segments_.data(), b.segments.data(), n * 4);
  }
}

Transformer::LayerActs Transformer::acts_for(int layer, bool for_backward) {
  const size_t i = (options_.recompute_activations || !for_backward) ? 0 : static_cast<size_t>(layer);
  LayerActs a;
  a.norm1 = act(norm1_[i]);
  a.qkv = act(qkv_[i]);
  a.attn = act(attn_[i]);
  a.x_mid = act(x_mid_[i]);
  a.norm2 = act(norm2_[i]);
  a.gate_up = act(gate_up_[i]);
  a.act = act(act_[i]);
  a.rstd1 = f32(rstd1_[i]);
  a.lse = f32(lse_[i]);
  a.rstd2 = f32(rstd2_[i]);
  return a;
}

// Shapes of the current batch (batch_ x seq_ tokens), the same for a layer's forward and backward.
AttentionShape Transformer::attention_shape() const {
  const ModelConfig& c = config_;
  return {batch_, seq_, c.n_heads, c.n_kv_heads, c.head_dim(), c.qkv_dim(), c.dim,
          1.0f / std::sqrt(static_cast<float>(c.head_dim()))};
}

RopeShape Transformer::rope_shape() const {
  const ModelConfig& c = config_;
  return {static_cast<int64_t>(batch_) * seq_, c.n_heads + c.n_kv_heads, c.head_dim(), c.qkv_dim(),
          static_cast<float>(c.rope_theta)};
}

void Transformer::layer_forward(int l, Tensor x_in, Tensor x_out, const LayerActs& a, const CachePlan* plan) {
  const ModelConfig& c = config_;
  const auto& w = layout_.layer(l);
  const int64_t n = static_cast<int64_t>(batch_) * seq_;
  const int32_t* pos = positions();

  backend_.rmsnorm_forward(a.norm1, a.rstd1, x_in, weight(w.attn_norm), n, c.dim, static_cast<float>(c.norm_eps));
  backend_.matmul(a.qkv, a.norm1, weight(w.qkv), {n, c.qkv_dim(), c.dim, false, true}, 1.0f, 0.0f);
  backend_.rope_forward(a.qkv, pos, rope_shape());
  const AttentionShape as = attention_shape();
  if (plan == nullptr) {
    backend_.attention_forward(a.attn, a.lse, a.qkv, segments(), as);
  } else {
    const KvCache& cache = *plan->cache;
    backend_.kv_cache_write(cache.keys(l), cache.values(l), a.qkv, plan->token_slots, pos, n, as, cache.shape());
    if (plan->decode)
      backend_.attention_decode(a.attn, a.qkv, cache.keys(l), cache.values(l), plan->row_slots, plan->lengths, as,
                                cache.shape());
    else
      backend_.attention_forward(a.attn, a.lse, a.qkv, nullptr, as);  // prefill from position 0
  }
  // x_mid = x_in + attn @ Wo^T  (the residual is the GEMM's C, read in place of a copy)
  backend_.matmul_add(a.x_mid, a.attn, weight(w.o_proj), x_in, {n, c.dim, c.dim, false, true}, 1.0f);
  backend_.rmsnorm_forward(a.norm2, a.rstd2, a.x_mid, weight(w.mlp_norm), n, c.dim, static_cast<float>(c.norm_eps));
  backend_.matmul(a.gate_up, a.norm2, weight(w.gate_up), {n, 2LL * c.ffn_dim, c.dim, false, true}, 1.0f, 0.0f);
  backend_.swiglu_forward(a.act, a.gate_up, n, c.ffn_dim);
  backend_.matmul_add(x_out, a.act, weight(w.down_proj), a.x_mid, {n, c.dim, c.ffn_dim, false, true}, 1.0f);
}

void Transformer::head_logits(int64_t row0, int64_t rows, float scale) {
  const ModelConfig& c = config_;
  backend_.matmul(act(logits_), act(normf_, row0 * c.dim), weight(layout_.lm_head()), {rows, c.vocab_size, c.dim, false, true},
                  scale, 0.0f);
}

void Transformer::forward(const TokenBatch& batch, bool for_backward, bool want_entropy) {
  if (for_backward && !options_.with_grads) fail("forward(for_backward) on a model built without gradients");
  ensure_capacity(batch.batch, batch.seq);
  upload_batch(batch);
  const ModelConfig& c = config_;
  const int64_t n = batch.size();
  backend_.embedding_forward(act(residual_[0]), static_cast<const int32_t*>(tokens_.data()), weight(layout_.embed()), n,
                             c.dim);
  for (int l = 0; l < c.n_layers; ++l)
    layer_forward(l, act(residual_[l]), act(residual_[l + 1]), acts_for(l, for_backward));
  backend_.rmsnorm_forward(act(normf_), f32(rstdf_), act(residual_[c.n_layers]), weight(layout_.final_norm()), n, c.dim,
                           static_cast<float>(c.norm_eps));
  const int32_t* targets = static_cast<const int32_t*>(targets_.data());
  if (c.head == ModelHead::scalar) {
    // one value per position: v = norm(h) . w_score
    backend_.matmul(act(values_), act(normf_), weight(layout_.lm_head()), {n, 1, c.dim, false, true}, 1.0f, 0.0f);
    backend_.convert(Tensor::f32(f32(logp_)), act(values_), n);
    want_entropy = false;
  } else {
    for (int64_t r0 = 0; r0 < n; r0 += options_.head_chunk_rows) {
      const int64_t rows = std::min(options_.head_chunk_rows, n - r0);
      head_logits(r0, rows, logit_scale_);
      backend_.token_logprobs_forward(f32(logp_, r0), want_entropy ? f32(entropy_, r0) : nullptr, act(logits_),
                                      targets + r0, rows, c.vocab_size);
    }
  }
  logits_valid_ = c.head == ModelHead::lm && n <= options_.head_chunk_rows;
  logp_host_.resize(static_cast<size_t>(n));
  backend_.download(logp_host_.data(), logp_.data(), static_cast<size_t>(n) * 4);
  if (want_entropy) {
    entropy_host_.resize(static_cast<size_t>(n));
    backend_.download(entropy_host_.data(), entropy_.data(), static_cast<size_t>(n) * 4);
  } else {
    entropy_host_.clear();
  }
  ready_for_backward_ = for_backward;
}

void Transformer::layer_backward(int l, Tensor x_in, const LayerActs& a, Tensor dres) {
  const ModelConfig& c = config_;
  const auto& w = layout_.layer(l);
  const int64_t n = static_cast<int64_t>(batch_) * seq_;
  const Tensor dact = act(dact_), dgate_up = act(dgate_up_), dnorm = act(dnorm_), dattn = act(dattn_), dqkv = act(dqkv_);

  // MLP block: x_out = x_mid + act @ Wd^T
  backend_.matmul(dact, dres, weight(w.down_proj), {n, c.ffn_dim, c.dim, false, false}, 1.0f, 0.0f);
  backend_.matmul(grad(w.down_proj), dres, a.act, {c.dim, c.ffn_dim, n, true, false}, 1.0f, 1.0f);
  backend_.swiglu_backward(dgate_up, dact, a.gate_up, n, c.ffn_dim);
  backend_.matmul(dnorm, dgate_up, weight(w.gate_up), {n, c.dim, 2LL * c.ffn_dim, false, false}, 1.0f, 0.0f);
  backend_.matmul(grad(w.gate_up), dgate_up, a.norm2, {2LL * c.ffn_dim, c.dim, n, true, false}, 1.0f, 1.0f);
  // dres (grad of x_out) becomes the grad of x_mid: the skip path plus the norm's input grad
  backend_.rmsnorm_backward(dres, grad(w.mlp_norm), dnorm, a.x_mid, weight(w.mlp_norm), a.rstd2, n, c.dim);

  // attention block: x_mid = x_in + attn @ Wo^T
  backend_.matmul(dattn, dres, weight(w.o_proj), {n, c.dim, c.dim, false, false}, 1.0f, 0.0f);
  backend_.matmul(grad(w.o_proj), dres, a.attn, {c.dim, c.dim, n, true, false}, 1.0f, 1.0f);
  // RoPE's backward folded into attention's: dQ and dK come out rotated back
  backend_.attention_backward(dqkv, dattn, a.qkv, a.attn, a.lse, segments(), attention_shape(),
                              {positions(), static_cast<float>(c.rope_theta)});
  backend_.matmul(dnorm, dqkv, weight(w.qkv), {n, c.dim, c.qkv_dim(), false, false}, 1.0f, 0.0f);
  backend_.matmul(grad(w.qkv), dqkv, a.norm1, {c.qkv_dim(), c.dim, n, true, false}, 1.0f, 1.0f);
  backend_.rmsnorm_backward(dres, grad(w.attn_norm), dnorm, x_in, weight(w.attn_norm), a.rstd1, n, c.dim);
}

void Transformer::backward(std::span<const float> dlogp, const GradsReady& grads_ready) {
  if (!ready_for_backward_) fail("backward() needs a preceding forward(batch, for_backward = true)");
  const ModelConfig& c = config_;
  const int64_t n = static_cast<int64_t>(batch_) * seq_;
  if (static_cast<int64_t>(dlogp.size()) != n) fail("backward: dlogp has {} entries, expected {}", dlogp.size(), n);
  backend_.upload(dlogp_.data(), dlogp.data(), static_cast<size_t>(n) * 4);
  const int32_t* targets = static_cast<const int32_t*>(targets_.data());

  // output head, chunk by chunk (recomputing the chunk's logits unless forward left them)
  const Tensor dnormf = act(dnorm_);
  if (c.head == ModelHead::scalar) {
    backend_.convert(act(values_), Tensor::f32(f32(dlogp_)), n);
    backend_.matmul(dnormf, act(values_), weight(layout_.lm_head()), {n, c.dim, 1, false, false}, 1.0f, 0.0f);
    backend_.matmul(grad(layout_.lm_head()), act(values_), act(normf_), {1, c.dim, n, true, false}, 1.0f, 1.0f);
  }
  for (int64_t r0 = 0; c.head == ModelHead::lm && r0 < n; r0 += options_.head_chunk_rows) {
    const int64_t rows = std::min(options_.head_chunk_rows, n - r0);
    if (!logits_valid_) head_logits(r0, rows, logit_scale_);
    // d/d(scaled logits) in place; the scale s = 1/T comes back in d/dh and d/dW (z = s h W^T)
    backend_.token_logprobs_backward(act(logits_), act(logits_), targets + r0, f32(dlogp_, r0), rows, c.vocab_size);
    backend_.matmul(dnormf.offset(r0 * c.dim), act(logits_), weight(layout_.lm_head()), {rows, c.dim, c.vocab_size, false, false},
                    logit_scale_, 0.0f);
    backend_.matmul(grad(layout_.lm_head()), act(logits_), act(normf_, r0 * c.dim), {c.vocab_size, c.dim, rows, true, false},
                    logit_scale_, 1.0f);
  }
  logits_valid_ = false;  // consumed in place
  const Tensor dres = act(dres_);
  backend_.fill_zero(dres.data, static_cast<size_t>(n * c.dim) * dtype_size(dres.dtype));
  backend_.rmsnorm_backward(dres, grad(layout_.final_norm()), dnormf, act(residual_[c.n_layers]),
                            weight(layout_.final_norm()), f32(rstdf_), n, c.dim);
  // Flat ranges: [embeddings | layer 0 | ... | layer L-1 | final norm, head]; a tied head lives
  // in the embedding range, which is final only at the very end.
  if (grads_ready) grads_ready(layout_.final_norm(), layout_.total());

  for (int l = c.n_layers - 1; l >= 0; --l) {
    const LayerActs a = acts_for(l, true);
    if (options_.recompute_activations) layer_forward(l, act(residual_[l]), act(residual_[l + 1]), a);
    layer_backward(l, act(residual_[l]), a, dres);
    if (grads_ready)
      grads_ready(layout_.layer(l).attn_norm, l + 1 < c.n_layers ? layout_.layer(l + 1).attn_norm : layout_.final_norm());
  }
  backend_.embedding_backward(grad(layout_.embed()), tokens_host_, dres, c.dim);
  if (grads_ready) grads_ready(0, layout_.layer(0).attn_norm);
  ready_for_backward_ = false;
}

void Transformer::forward_with_cache(const CacheBatch& b, KvCache& cache, const LogitsChunk& on_logits) {
  stage_cache_batch(b, cache);
  enqueue_cache_batch(on_logits);
}

// The staged inputs, in one pinned array (one upload per step): tokens and positions [n], token
// slots [n], then per row its slot, cached length after the step and the flat index of its last
// new token.
namespace {
struct CacheInputs {
  int32_t *tokens, *positions, *token_slots, *row_slots, *lengths, *last;
  size_t count;  // int32 values in all
  CacheInputs(int32_t* base, int64_t n_tokens, int rows) {
    const auto n = static_cast<size_t>(n_tokens), r = static_cast<size_t>(rows);
    tokens = base;
    positions = tokens + n;
    token_slots = positions + n;
    row_slots = token_slots + n;
    lengths = row_slots + r;
    last = lengths + r;
    count = 3 * n + 3 * r;
  }
};
}  // namespace

void Transformer::stage_cache_batch(const CacheBatch& b, KvCache& cache) {
  const ModelConfig& c = config_;
  if (c.head != ModelHead::lm) fail_hint("generate with a language model", "a reward model (scalar head) cannot generate text");
  const KvCacheShape& cs = cache.shape();
  if (b.rows <= 0 || b.seq <= 0) fail("forward_with_cache: empty batch");
  const int64_t n = static_cast<int64_t>(b.rows) * b.seq;
  DSMATH_CHECK(static_cast<int64_t>(b.tokens.size()) == n && static_cast<int>(b.n_new.size()) == b.rows &&
                   static_cast<int>(b.start.size()) == b.rows && static_cast<int>(b.slots.size()) == b.rows,
               "cache batch arrays do not match {} x {}", b.rows, b.seq);
  const bool decode = b.seq == 1;
  backend_.synchronize();  // the previous step's upload may still be reading the pinned inputs
  ensure_capacity(b.rows, b.seq);
  const CacheInputs in(static_cast<int32_t*>(cache_inputs_host_.data()), n, b.rows);
  for (int r = 0; r < b.rows; ++r) {
    const int start = b.start[static_cast<size_t>(r)], k = b.n_new[static_cast<size_t>(r)], slot = b.slots[static_cast<size_t>(r)];
    DSMATH_CHECK(k <= b.seq && (k >= 1 || (decode && k == 0 && start >= 1)), "row {} has {} new tokens for width {} (start {})", r,
                 k, b.seq, start);
    DSMATH_CHECK(slot >= 0 && slot < cs.slots, "row {} slot {} of {}", r, slot, cs.slots);
    DSMATH_CHECK(decode || start == 0, "prefill continues a non-empty slot (row {}, start {})", r, start);
    if (start + k > cs.max_len || start + k > c.max_seq_len)
      fail_hint("lower max_new_tokens or the prompt length", "sequence of {} tokens exceeds the context ({} tokens)", start + k,
                std::min(cs.max_len, c.max_seq_len));
    for (int t = 0; t < b.seq; ++t) {
      const size_t i = static_cast<size_t>(r) * b.seq + t;
      const int32_t tok = b.tokens[i];
      if (t < k && (tok < 0 || tok >= c.vocab_size))
        fail_hint("the tokenizer does not match the model", "token id {} is outside the model's vocabulary [0, {})", tok,
                  c.vocab_size);
      in.tokens[i] = t < k ? tok : 0;
      in.positions[i] = start + t;
      in.token_slots[i] = t < k ? slot : -1;
    }
    in.row_slots[r] = slot;
    in.lengths[r] = start + k;
    in.last[r] = static_cast<int32_t>(static_cast<int64_t>(r) * b.seq + std::max(k, 1) - 1);
  }
  staged_ = {&cache, b.rows, b.seq};
}

void Transformer::enqueue_cache_batch(const LogitsChunk& on_logits) {
  const ModelConfig& c = config_;
  DSMATH_CHECK(staged_.cache != nullptr && staged_.rows == batch_ && staged_.seq == seq_,
               "enqueue_cache_batch without a staged batch of this shape");
  const int64_t n = static_cast<int64_t>(staged_.rows) * staged_.seq;
  has_segments_ = false;
  ready_for_backward_ = false;
  logits_valid_ = false;
  const CacheInputs host(static_cast<int32_t*>(cache_inputs_host_.data()), n, staged_.rows);
  const CacheInputs device(static_cast<int32_t*>(cache_inputs_.data()), n, staged_.rows);
  backend_.upload_async(cache_inputs_.data(), cache_inputs_host_.data(), host.count * sizeof(int32_t));
  active_positions_ = device.positions;

  CachePlan plan{staged_.cache, staged_.seq == 1, device.token_slots, device.row_slots, device.lengths};
  backend_.embedding_forward(act(residual_[0]), device.tokens, weight(layout_.embed()), n, c.dim);
  for (int l = 0; l < c.n_layers; ++l) layer_forward(l, act(residual_[l]), act(residual_[l + 1]), acts_for(l, false), &plan);
  // the last new token of each row: gather its hidden state (a row gather is an embedding lookup)
  const Tensor gathered = act(norm1_[0]);  // layer scratch, free once the layers are done
  backend_.embedding_forward(gathered, device.last, act(residual_[c.n_layers]), staged_.rows, c.dim);
  backend_.rmsnorm_forward(act(normf_), f32(rstdf_), gathered, weight(layout_.final_norm()), staged_.rows, c.dim,
                           static_cast<float>(c.norm_eps));
  for (int64_t r0 = 0; r0 < staged_.rows; r0 += options_.head_chunk_rows) {
    const int64_t rows = std::min<int64_t>(options_.head_chunk_rows, staged_.rows - r0);
    head_logits(r0, rows);
    on_logits(act(logits_), r0, rows);
  }
}

void Transformer::forward_with_cache(const CacheBatch& b, KvCache& cache, std::vector<float>& last_logits) {
  const int vocab = config_.vocab_size;
  last_logits.resize(static_cast<size_t>(b.rows) * vocab);
  forward_with_cache(b, cache, [&](Tensor logits, int64_t r0, int64_t rows) {
    download_f32(backend_, logits, std::span<float>(last_logits.data() + r0 * vocab, static_cast<size_t>(rows) * vocab));
  });
}

}  // namespace dsmath
