#pragma once
// The Backend interface: every op the transformer's forward and backward passes use, on
// preallocated buffers, with no autograd graph (DESIGN.md section 3). The model is written
// once against this interface; backend/cpu/ is the fp32 reference, cuda/ the bf16 GPU twin.
//
// Conventions for every op:
// - Matrices are row-major. Linear weights use Hugging Face's [out_features, in_features].
// - "Accumulates" means the op adds into its output (gradients over micro-batches); every
//   other output is overwritten.
// - Per-row statistics (rstd, lse, logp, dlogp, entropy) are always fp32; token ids are int32.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "backend/tensor.hpp"

namespace dsmath {

class Backend;

// Backend memory, or host memory the backend copies to and from asynchronously (pinned), released
// when the Buffer dies.
class Buffer {
 public:
  Buffer() = default;
  Buffer(Backend* owner, void* data, size_t bytes, bool pinned_host = false)
      : owner_(owner), data_(data), bytes_(bytes), pinned_host_(pinned_host) {}
  ~Buffer();
  Buffer(Buffer&& o) noexcept : owner_(o.owner_), data_(o.data_), bytes_(o.bytes_), pinned_host_(o.pinned_host_) {
    o.release_ownership();
  }
  Buffer& operator=(Buffer&& o) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Tensor tensor(DType t) const { return {data_, t}; }

 private:
  void release_ownership() { owner_ = nullptr; data_ = nullptr; bytes_ = 0; }
  void free_memory();
  Backend* owner_ = nullptr;
  void* data_ = nullptr;
  size_t bytes_ = 0;
  bool pinned_host_ = false;
};

// Device work recorded once and replayed with one launch (a CUDA graph): every op runs again with
// the arguments it was recorded with, so what changes between replays must be in memory the ops
// read (device buffers, or pinned host memory an upload_async copies from).
class CapturedWork {
 public:
  virtual ~CapturedWork() = default;
  virtual void replay() = 0;
};

// C[m,n] = alpha * op(A)[m,k] @ op(B)[k,n] + beta * C, row-major with leading dimensions.
struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  int64_t lda = 0, ldb = 0, ldc = 0;  // 0: the natural value for the transposition
};

// Attention over a fused QKV activation: per token a row of qkv_stride elements holding
// n_heads query heads, then n_kv_heads key heads, then n_kv_heads value heads, each head_dim
// wide. Query head h reads key/value head h / (n_heads / n_kv_heads) (GQA). Causal; with
// segment ids, a token attends only to earlier tokens of its own segment (packed documents).
struct AttentionShape {
  int batch = 0, seq = 0;
  int n_heads = 0, n_kv_heads = 0, head_dim = 0;
  int64_t qkv_stride = 0;  // elements per token in qkv / dqkv
  int64_t out_stride = 0;  // elements per token in out / dout (n_heads * head_dim)
  float scale = 0;         // softmax scale, 1/sqrt(head_dim)
};

// RoPE over the first n_heads_rotated heads of each token row (queries then keys), Hugging
// Face's "rotate_half" pairing: channel i rotates with channel i + head_dim/2 by angle
// position * theta^(-2i/head_dim).
struct RopeShape {
  int64_t n_tokens = 0;
  int n_heads_rotated = 0;
  int head_dim = 0;
  int64_t row_stride = 0;
  float theta = 10000.0f;
};

// RoPE's backward folded into attention's (positions: backend memory, one per token of the
// batch; null: no rotation): dQ and dK come out as the gradients of q and k before the rotation,
// as rope_backward would make them, without a pass over dqkv of its own.
struct RopeFold {
  const int32_t* positions = nullptr;
  float theta = 10000.0f;
};

// Key/value cache of one layer for generation: keys and values each [slots, max_len,
// n_kv_heads, head_dim], one slot per sequence being generated.
struct KvCacheShape {
  int slots = 0;
  int max_len = 0;
  int n_kv_heads = 0;
  int head_dim = 0;
};

// How Backend::sample_tokens chooses a token (backend/sampling_rule.hpp states the rule).
struct SamplingSpec {
  double temperature = 0.0;  // <= 0: greedy
  double top_p = 1.0;        // in (0, 1]
  int top_k = 0;             // 0: no limit
  bool operator==(const SamplingSpec&) const = default;
};

struct AdamWArgs {
  Tensor params;         // updated in place (fp32 master weights)
  Tensor params_copy;    // optional lower-precision copy refreshed from params (bf16 compute weights)
  Tensor grads;
  Tensor m, v;           // first/second moments
  int64_t n = 0;
  float lr = 0, beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f, weight_decay = 0;
  float grad_scale = 1.0f;  // grads are multiplied by this first (clipping folded in)
  int64_t step = 1;         // 1-based, for bias correction
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual DeviceKind kind() const = 0;
  virtual std::string description() const = 0;
  // dtype of weights, activations and gradients in the compute path (f32 CPU, bf16 CUDA)
  virtual DType compute_dtype() const = 0;
  // dtype of the parameter gradients (weights' grads accumulate over micro-batches)
  virtual DType grad_dtype() const { return compute_dtype(); }
  // Peak dense FLOP/s of the compute path, the MFU denominator: the datasheet bf16 tensor-core
  // rate for GPUs (989 TFLOP/s for an H100 SXM), an fp32 FMA estimate for CPUs.
  virtual double peak_flops() const = 0;
  // Bytes of memory in use by this process on the device (RSS on the CPU).
  virtual size_t memory_in_use() const = 0;
  // Bytes that can still be allocated on the device (free GPU memory; MemAvailable on the CPU);
  // generation sizes its key/value cache from it.
  virtual size_t memory_available() const = 0;

  // --- memory ---
  virtual Buffer allocate(size_t bytes) = 0;
  virtual void release(void* data) = 0;
  virtual void upload(void* dst, const void* host_src, size_t bytes) = 0;
  virtual void download(void* host_dst, const void* src, size_t bytes) = 0;
  virtual void copy(void* dst, const void* src, size_t bytes) = 0;
  virtual void fill_zero(void* dst, size_t bytes) = 0;
  // dst[i] = src[i] converted (f32 <-> bf16 <-> f16)
  virtual void convert(Tensor dst, Tensor src, int64_t n) = 0;
  virtual void synchronize() {}
  // Host memory for upload_async/download_async (page-locked on a GPU, so that a copy neither
  // stages it nor waits for the device).
  virtual Buffer allocate_pinned(size_t bytes);
  virtual void release_pinned(void* data);
  // Copies queued in order with the ops, returning at once: the device reads `pinned_src` (writes
  // `pinned_dst`) when the copy runs, so the host leaves the buffer alone until synchronize().
  // The CPU backend copies at once.
  virtual void upload_async(void* dst, const void* pinned_src, size_t bytes) { upload(dst, pinned_src, bytes); }
  virtual void download_async(void* pinned_dst, const void* src, size_t bytes) { download(pinned_dst, src, bytes); }

  // Capture: records the ops `work` queues, without running them, for replays (CUDA graphs).
  // Null from a backend that cannot (the CPU backend: the caller runs `work` itself). During
  // `work` nothing may allocate, upload or download synchronously, or wait for the device: run it
  // once uncaptured first, so that the scratch it needs exists. The backend's address_epoch()
  // changes whenever it replaced memory a capture may hold (its grow-only scratch); the captures
  // made before are then stale.
  virtual bool can_capture() const { return false; }
  virtual std::unique_ptr<CapturedWork> capture(const std::function<void()>& work);
  virtual uint64_t address_epoch() const { return 0; }

  // --- transformer ops ---
  // out[t, :] = table[tokens[t], :]
  virtual void embedding_forward(Tensor out, const int32_t* tokens, Tensor table, int64_t n_tokens, int dim) = 0;
  // dtable[tokens[t], :] += dout[t, :]  (accumulates). The token ids come from the host: the
  // caller has them, and the CUDA backend groups positions by token there (no device copy back).
  virtual void embedding_backward(Tensor dtable, std::span<const int32_t> host_tokens, Tensor dout, int dim) = 0;

  // out = in * rstd * weight, rstd = 1/sqrt(mean(in^2) + eps) saved per row
  virtual void rmsnorm_forward(Tensor out, float* rstd, Tensor in, Tensor weight, int64_t rows, int dim, float eps) = 0;
  // din += d(out)/d(in)^T dout; dweight += sum_rows dout * in * rstd  (both accumulate)
  virtual void rmsnorm_backward(Tensor din, Tensor dweight, Tensor dout, Tensor in, Tensor weight, const float* rstd,
                                int64_t rows, int dim) = 0;

  // c = alpha op(a) op(b) + beta c
  virtual void matmul(Tensor c, Tensor a, Tensor b, const GemmShape& shape, float alpha, float beta) = 0;
  // d = alpha op(a) op(b) + c, d and c distinct with the same layout (ldc): the residual add
  // folded into the GEMM without first copying c into d (cuBLASLt reads C and writes D).
  virtual void matmul_add(Tensor d, Tensor a, Tensor b, Tensor c, const GemmShape& shape, float alpha) = 0;

  virtual void rope_forward(Tensor x, const int32_t* positions, const RopeShape& shape) = 0;
  // the inverse rotation, applied to gradients in place
  virtual void rope_backward(Tensor dx, const int32_t* positions, const RopeShape& shape) = 0;

  // out = softmax(q k^T * scale + causal/segment mask) v; lse[b, h, t] saved for backward
  virtual void attention_forward(Tensor out, float* lse, Tensor qkv, const int32_t* segment_ids,
                                 const AttentionShape& shape) = 0;
  // dqkv (overwritten) from dout, using the saved out and lse; with `rope`, dQ and dK also
  // through RoPE's backward (the query and key heads of each row rotated back)
  virtual void attention_backward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, const float* lse,
                                  const int32_t* segment_ids, const AttentionShape& shape, const RopeFold& rope = {}) = 0;

  // gate_up rows are [gate (ffn) | up (ffn)]; out = silu(gate) * up
  virtual void swiglu_forward(Tensor out, Tensor gate_up, int64_t rows, int ffn) = 0;
  virtual void swiglu_backward(Tensor dgate_up, Tensor dout, Tensor gate_up, int64_t rows, int ffn) = 0;

  // out = a + b (out may alias a or b)
  virtual void add(Tensor out, Tensor a, Tensor b, int64_t n) = 0;

  // logp[r] = log softmax(logits[r])[targets[r]]; targets[r] < 0 gives 0. entropy (optional,
  // may be null) = -sum p log p of the row.
  virtual void token_logprobs_forward(float* logp, float* entropy, Tensor logits, const int32_t* targets, int64_t rows,
                                      int vocab) = 0;
  // dlogits[r] = dlogp[r] * (onehot(targets[r]) - softmax(logits[r])); 0 for ignored rows.
  // dlogits may alias logits (the logits are consumed).
  virtual void token_logprobs_backward(Tensor dlogits, Tensor logits, const int32_t* targets, const float* dlogp,
                                       int64_t rows, int vocab) = 0;

  // --- generation ---
  // Copies the key and value heads of n_tokens qkv rows (layout as in AttentionShape, after
  // RoPE) into the cache at (slots[t], positions[t]); tokens with slots[t] < 0 (padding) are skipped.
  virtual void kv_cache_write(Tensor k_cache, Tensor v_cache, Tensor qkv, const int32_t* slots, const int32_t* positions,
                              int64_t n_tokens, const AttentionShape& shape, const KvCacheShape& cache) = 0;
  // Decode attention: row r's query (in qkv, one token per row) attends to positions
  // [0, lengths[r]) of cache slot slots[r]. shape.batch = rows, shape.seq = 1.
  virtual void attention_decode(Tensor out, Tensor qkv, Tensor k_cache, Tensor v_cache, const int32_t* slots,
                                const int32_t* lengths, const AttentionShape& shape, const KvCacheShape& cache) = 0;

  // Next-token sampling (backend/sampling_rule.hpp): for each of `rows` rows of logits [rows x
  // vocab], the chosen token and log softmax(logits / T)[token], the row's randomness from
  // draw_keys[r]. A row with a NaN logit gets token -1 and a NaN log-prob. tokens, logprobs
  // and draw_keys are backend memory.
  virtual void sample_tokens(int32_t* tokens, float* logprobs, Tensor logits, const uint64_t* draw_keys, int64_t rows,
                             int vocab, const SamplingSpec& spec) = 0;

  // --- optimizer and reductions ---
  // sum of squares in double, in a fixed order (the same value whatever the thread count)
  virtual double sum_squares(Tensor x, int64_t n) = 0;
  virtual void scale(Tensor x, int64_t n, float factor) = 0;
  virtual void adamw_update(const AdamWArgs& args) = 0;
};

}  // namespace dsmath
