#include "cuda/cuda_backend.hpp"

#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "cuda/adamw.cuh"
#include "cuda/attention_backward.cuh"
#include "cuda/attention_decode.cuh"
#include "cuda/attention_forward.cuh"
#include "cuda/check.cuh"
#include "cuda/convert.cuh"
#include "cuda/elementwise.cuh"
#include "cuda/embedding.cuh"
#include "cuda/embedding_buckets.hpp"
#include "cuda/op_checks.hpp"
#include "cuda/rmsnorm.cuh"
#include "cuda/rope.cuh"
#include "cuda/sum_squares.cuh"
#include "cuda/swiglu.cuh"
#include "cuda/sampling.cuh"
#include "cuda/token_logprobs.cuh"

namespace dsmath::cuda {

namespace {
constexpr DType kAct = DType::bf16;

std::string gib(size_t bytes) { return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1u << 30)); }
}  // namespace

CudaBackend::CudaBackend(int device) : device_(device) {
  DSMATH_CUDA(cudaSetDevice(device), "selecting the GPU");
  cudaDeviceProp prop{};
  DSMATH_CUDA(cudaGetDeviceProperties(&prop, device), "reading the GPU's properties");
  name_ = prop.name;
  sm_count_ = prop.multiProcessorCount;
  cc_major_ = prop.major;
  cc_minor_ = prop.minor;
  total_memory_ = prop.totalGlobalMem;
  if (cc_major_ < 9)
    fail_hint("this build targets sm_90 (CMAKE_CUDA_ARCHITECTURES=90); rebuild with your GPU's architecture added, or "
              "use --device cpu",
              "cuda backend: GPU {} ({}) has compute capability {}.{}; the kernels are compiled for 9.0 (Hopper)", device,
              name_, cc_major_, cc_minor_);
  int clock_khz = 0;
  cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device);
  cudaGetLastError();
  peak_ = datasheet_bf16_peak(name_, sm_count_, clock_khz, cc_major_, cc_minor_);
  if (peak_.estimated)
    log::warn("cuda backend: {} is not in the datasheet table; MFU uses an {} (set train.peak_tflops to override)", name_,
              peak_.source);
  DSMATH_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "creating the CUDA stream");
  gemm_ = std::make_unique<LtGemm>(stream_);
}

CudaBackend::~CudaBackend() {
  if (stream_ != nullptr) cudaStreamSynchronize(stream_);
  gemm_.reset();
  if (scratch_ != nullptr) cudaFree(scratch_);
  // buffers still alive belong to objects that outlive the backend (a bug); free them anyway
  for (auto& [p, bytes] : allocations_) cudaFree(p);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
  cudaGetLastError();
}

std::string CudaBackend::description() const {
  return fmt::format("cuda:{} {} (bf16 weights and activations, f32 gradients; sm_{}{}, {} SMs, {}; MFU peak {:.0f} "
                     "TFLOP/s{})",
                     device_, name_, cc_major_, cc_minor_, sm_count_, gib(total_memory_), peak_.flops / 1e12,
                     peak_.estimated ? ", estimated" : "");
}

void CudaBackend::synchronize() {
  DSMATH_CUDA(cudaStreamSynchronize(stream_), "synchronize (an op queued earlier failed; CUDA_LAUNCH_BLOCKING=1 names it)");
}

size_t CudaBackend::memory_available() const {
  size_t free_bytes = 0, total = 0;
  if (cudaMemGetInfo(&free_bytes, &total) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return free_bytes;
}

Buffer CudaBackend::allocate(size_t bytes) {
  void* p = nullptr;
  const size_t rounded = bytes == 0 ? 256 : bytes;
  const cudaError_t err = cudaMalloc(&p, rounded);
  if (err != cudaSuccess) {
    cudaGetLastError();
    size_t free_bytes = 0, total = 0;
    cudaMemGetInfo(&free_bytes, &total);
    cudaGetLastError();
    fail_hint("use a smaller train.micro_batch_size, set train.recompute_activations=true or optim.state_dtype=bf16, or "
              "shard the optimizer state with dist.zero1 over several GPUs",
              "cuda backend: out of GPU memory allocating {} ({} in use by dsmath, {} free of {}): {}", gib(bytes),
              gib(memory_in_use()), gib(free_bytes), gib(total), cudaGetErrorString(err));
  }
  allocations_[p] = rounded;
  allocated_bytes_ += rounded;
  return Buffer(this, p, bytes);
}

void CudaBackend::release(void* data) {
  auto it = allocations_.find(data);
  if (it == allocations_.end()) return;
  allocated_bytes_ -= it->second;
  allocations_.erase(it);
  // cudaFree waits for the device, so work queued on the buffer completes first. This runs in
  // Buffer's destructor and must not throw: after a fault every call fails with the fault's
  // error, which was already reported where it surfaced, and the context is lost anyway.
  if (const cudaError_t err = cudaFree(data); err != cudaSuccess) {
    cudaGetLastError();
    static bool warned = false;
    if (!warned) log::warn("cuda backend: freeing GPU memory failed ({}); later frees fail the same way", cudaGetErrorName(err));
    warned = true;
  }
}

void CudaBackend::upload(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  DSMATH_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_), "upload");
  // the caller may reuse its host buffer as soon as this returns
  DSMATH_CUDA(cudaStreamSynchronize(stream_), "upload");
}

void CudaBackend::download(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  DSMATH_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_), "download");
  DSMATH_CUDA(cudaStreamSynchronize(stream_), "download");
}

Buffer CudaBackend::allocate_pinned(size_t bytes) {
  void* p = nullptr;
  DSMATH_CUDA(cudaMallocHost(&p, bytes == 0 ? 1 : bytes), "pinned host allocation");
  return Buffer(this, p, bytes, true);
}

void CudaBackend::release_pinned(void* data) {
  // runs in Buffer's destructor: must not throw (see release)
  if (cudaFreeHost(data) != cudaSuccess) cudaGetLastError();
}

void CudaBackend::upload_async(void* dst, const void* pinned_src, size_t bytes) {
  if (bytes == 0) return;
  DSMATH_CUDA(cudaMemcpyAsync(dst, pinned_src, bytes, cudaMemcpyHostToDevice, stream_), "upload_async");
}

void CudaBackend::download_async(void* pinned_dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  DSMATH_CUDA(cudaMemcpyAsync(pinned_dst, src, bytes, cudaMemcpyDeviceToHost, stream_), "download_async");
}

namespace {
class CudaGraph final : public CapturedWork {
 public:
  CudaGraph(cudaGraphExec_t exec, cudaStream_t stream) : exec_(exec), stream_(stream) {}
  ~CudaGraph() override { cudaGraphExecDestroy(exec_); }
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;
  void replay() override { DSMATH_CUDA(cudaGraphLaunch(exec_, stream_), "launching a captured graph"); }

 private:
  cudaGraphExec_t exec_;
  cudaStream_t stream_;
};
}  // namespace

std::unique_ptr<CapturedWork> CudaBackend::capture(const std::function<void()>& work) {
  DSMATH_CUDA(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeGlobal), "beginning a graph capture");
  capturing_ = true;
  cudaGraph_t graph = nullptr;
  try {
    work();
  } catch (...) {
    // end the capture so that the stream is usable again; the error that stopped it propagates
    capturing_ = false;
    if (cudaStreamEndCapture(stream_, &graph) == cudaSuccess && graph != nullptr) cudaGraphDestroy(graph);
    cudaGetLastError();
    throw;
  }
  capturing_ = false;
  DSMATH_CUDA(cudaStreamEndCapture(stream_, &graph),
              "ending a graph capture (an op in it synchronized, allocated or copied through pageable memory)");
  cudaGraphExec_t exec = nullptr;
  const cudaError_t err = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  DSMATH_CUDA(err, "instantiating a captured graph");
  return std::make_unique<CudaGraph>(exec, stream_);
}

void CudaBackend::copy(void* dst, const void* src, size_t bytes) {
  if (bytes == 0 || dst == src) return;
  DSMATH_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_), "copy");
}

void CudaBackend::fill_zero(void* dst, size_t bytes) {
  if (bytes == 0) return;
  DSMATH_CUDA(cudaMemsetAsync(dst, 0, bytes, stream_), "fill_zero");
}

void CudaBackend::convert(Tensor dst, Tensor src, int64_t n) {
  require_dtype_in("convert", "dst", dst, {DType::f32, DType::bf16, DType::f16});
  require_dtype_in("convert", "src", src, {DType::f32, DType::bf16, DType::f16});
  launch_convert(dst, src, n, stream_);
}

void* CudaBackend::scratch(size_t bytes) {
  if (bytes <= scratch_bytes_) return scratch_;
  if (capturing_)
    fail_hint("run the work once uncaptured before capturing it (Backend::capture)",
              "cuda backend: an op needs {} bytes of scratch during a graph capture, and only {} exist", bytes, scratch_bytes_);
  ++scratch_epoch_;
  if (scratch_ != nullptr) {
    DSMATH_CUDA(cudaStreamSynchronize(stream_), "scratch resize");
    DSMATH_CUDA(cudaFree(scratch_), "scratch resize");
    scratch_ = nullptr;
    scratch_bytes_ = 0;
  }
  const size_t grown = bytes + bytes / 4;
  DSMATH_CUDA(cudaMalloc(&scratch_, grown), "scratch allocation");
  scratch_bytes_ = grown;
  return scratch_;
}

void CudaBackend::embedding_forward(Tensor out, const int32_t* tokens, Tensor table, int64_t n_tokens, int dim) {
  require_dtype("embedding_forward", "out", out, kAct);
  require_dtype("embedding_forward", "table", table, kAct);
  launch_embedding_forward(out, tokens, table, n_tokens, dim, stream_);
}

void CudaBackend::embedding_backward(Tensor dtable, std::span<const int32_t> host_tokens, Tensor dout, int dim) {
  require_dtype_in("embedding_backward", "dtable", dtable, {DType::f32, DType::bf16});
  require_dtype("embedding_backward", "dout", dout, kAct);
  const auto n_tokens = static_cast<int64_t>(host_tokens.size());
  if (n_tokens <= 0) return;
  // positions grouped by token on the host: a deterministic sum without atomics
  const EmbeddingBuckets buckets = bucket_tokens(host_tokens);
  const std::vector<int32_t> packed = buckets.packed();
  void* device_packed = scratch(packed.size() * sizeof(int32_t));
  upload(device_packed, packed.data(), packed.size() * sizeof(int32_t));
  launch_embedding_backward(dtable, static_cast<const int32_t*>(device_packed), static_cast<int64_t>(buckets.rows.size()),
                            n_tokens, dout, dim, stream_);
}

void CudaBackend::rmsnorm_forward(Tensor out, float* rstd, Tensor in, Tensor weight, int64_t rows, int dim, float eps) {
  require_dtype("rmsnorm_forward", "out", out, kAct);
  require_dtype("rmsnorm_forward", "in", in, kAct);
  require_dtype("rmsnorm_forward", "weight", weight, kAct);
  launch_rmsnorm_forward(out, rstd, in, weight, rows, dim, eps, stream_);
}

void CudaBackend::rmsnorm_backward(Tensor din, Tensor dweight, Tensor dout, Tensor in, Tensor weight, const float* rstd,
                                   int64_t rows, int dim) {
  require_dtype("rmsnorm_backward", "din", din, kAct);
  require_dtype_in("rmsnorm_backward", "dweight", dweight, {DType::f32, DType::bf16});
  require_dtype("rmsnorm_backward", "dout", dout, kAct);
  require_dtype("rmsnorm_backward", "in", in, kAct);
  require_dtype("rmsnorm_backward", "weight", weight, kAct);
  void* partials = scratch(rmsnorm_backward_scratch_bytes(rows, dim));
  launch_rmsnorm_backward(din, dweight, dout, in, weight, rstd, rows, dim, partials, stream_);
}

void CudaBackend::matmul(Tensor c, Tensor a, Tensor b, const GemmShape& shape, float alpha, float beta) {
  require_dtype_in("matmul", "A", a, {DType::bf16, DType::f32});
  require_dtype_in("matmul", "B", b, {DType::bf16, DType::f32});
  require_dtype_in("matmul", "C", c, {DType::bf16, DType::f32});
  gemm_->run(c, a, b, c, shape, alpha, beta);
}

void CudaBackend::matmul_add(Tensor d, Tensor a, Tensor b, Tensor c, const GemmShape& shape, float alpha) {
  require_dtype_in("matmul_add", "A", a, {DType::bf16, DType::f32});
  require_dtype_in("matmul_add", "B", b, {DType::bf16, DType::f32});
  require_dtype_in("matmul_add", "D", d, {DType::bf16, DType::f32});
  require_dtype("matmul_add", "C", c, d.dtype);
  gemm_->run(d, a, b, c, shape, alpha, 1.0f);
}

void CudaBackend::rope_forward(Tensor x, const int32_t* positions, const RopeShape& shape) {
  require_dtype("rope_forward", "x", x, kAct);
  check_rope_shape("rope_forward", shape);
  launch_rope(x, positions, shape, false, stream_);
}

void CudaBackend::rope_backward(Tensor dx, const int32_t* positions, const RopeShape& shape) {
  require_dtype("rope_backward", "dx", dx, kAct);
  check_rope_shape("rope_backward", shape);
  launch_rope(dx, positions, shape, true, stream_);
}

void CudaBackend::attention_forward(Tensor out, float* lse, Tensor qkv, const int32_t* segment_ids,
                                    const AttentionShape& shape) {
  require_dtype("attention_forward", "out", out, kAct);
  require_dtype("attention_forward", "qkv", qkv, kAct);
  check_attention_shape("attention_forward", shape);
  require_vector_aligned("attention_forward", "out", out);
  require_vector_aligned("attention_forward", "qkv", qkv);
  launch_attention_forward(out, lse, qkv, segment_ids, shape, stream_);
}

void CudaBackend::attention_backward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, const float* lse,
                                     const int32_t* segment_ids, const AttentionShape& shape, const RopeFold& rope) {
  for (auto [name, t] : {std::pair{"dqkv", dqkv}, {"dout", dout}, {"qkv", qkv}, {"out", out}}) {
    require_dtype("attention_backward", name, t, kAct);
    require_vector_aligned("attention_backward", name, t);
  }
  check_attention_shape("attention_backward", shape);
  void* delta = scratch(attention_backward_scratch_bytes(shape));
  launch_attention_backward(dqkv, dout, qkv, out, lse, segment_ids, shape, rope, delta, stream_);
}

void CudaBackend::kv_cache_write(Tensor k_cache, Tensor v_cache, Tensor qkv, const int32_t* slots,
                                 const int32_t* positions, int64_t n_tokens, const AttentionShape& shape,
                                 const KvCacheShape& cache) {
  for (auto [name, t] : {std::pair{"k_cache", k_cache}, {"v_cache", v_cache}, {"qkv", qkv}})
    require_dtype("kv_cache_write", name, t, kAct);
  check_decode_shape("kv_cache_write", shape, cache, n_tokens);
  launch_kv_cache_write(k_cache, v_cache, qkv, slots, positions, n_tokens, shape, cache, stream_);
}

void CudaBackend::attention_decode(Tensor out, Tensor qkv, Tensor k_cache, Tensor v_cache, const int32_t* slots,
                                   const int32_t* lengths, const AttentionShape& shape, const KvCacheShape& cache) {
  for (auto [name, t] : {std::pair{"out", out}, {"qkv", qkv}, {"k_cache", k_cache}, {"v_cache", v_cache}})
    require_dtype("attention_decode", name, t, kAct);
  check_decode_shape("attention_decode", shape, cache, shape.batch);
  void* partial = scratch(attention_decode_scratch_bytes(shape, cache, sm_count_));
  launch_attention_decode(out, qkv, k_cache, v_cache, slots, lengths, shape, cache, sm_count_, partial, stream_);
}

void CudaBackend::swiglu_forward(Tensor out, Tensor gate_up, int64_t rows, int ffn) {
  require_dtype("swiglu_forward", "out", out, kAct);
  require_dtype("swiglu_forward", "gate_up", gate_up, kAct);
  launch_swiglu_forward(out, gate_up, rows, ffn, stream_);
}

void CudaBackend::swiglu_backward(Tensor dgate_up, Tensor dout, Tensor gate_up, int64_t rows, int ffn) {
  for (auto [name, t] : {std::pair{"dgate_up", dgate_up}, {"dout", dout}, {"gate_up", gate_up}})
    require_dtype("swiglu_backward", name, t, kAct);
  launch_swiglu_backward(dgate_up, dout, gate_up, rows, ffn, stream_);
}

void CudaBackend::add(Tensor out, Tensor a, Tensor b, int64_t n) {
  require_dtype_in("add", "out", out, {DType::bf16, DType::f32});
  require_dtype("add", "a", a, out.dtype);
  require_dtype("add", "b", b, out.dtype);
  launch_add(out, a, b, n, stream_);
}

void CudaBackend::token_logprobs_forward(float* logp, float* entropy, Tensor logits, const int32_t* targets,
                                         int64_t rows, int vocab) {
  require_dtype("token_logprobs_forward", "logits", logits, kAct);
  launch_token_logprobs_forward(logp, entropy, logits, targets, rows, vocab, stream_);
}

void CudaBackend::sample_tokens(int32_t* tokens, float* logprobs, Tensor logits, const uint64_t* draw_keys, int64_t rows,
                                int vocab, const SamplingSpec& spec) {
  require_dtype_in("sample_tokens", "logits", logits, {DType::bf16, DType::f32});
  launch_sample_tokens(tokens, logprobs, logits, draw_keys, rows, vocab, spec, stream_);
}

void CudaBackend::token_logprobs_backward(Tensor dlogits, Tensor logits, const int32_t* targets, const float* dlogp,
                                          int64_t rows, int vocab) {
  require_dtype("token_logprobs_backward", "dlogits", dlogits, kAct);
  require_dtype("token_logprobs_backward", "logits", logits, kAct);
  launch_token_logprobs_backward(dlogits, logits, targets, dlogp, rows, vocab, stream_);
}

double CudaBackend::sum_squares(Tensor x, int64_t n) {
  require_dtype_in("sum_squares", "x", x, {DType::f32, DType::bf16});
  void* s = scratch(sum_squares_scratch_bytes(n));
  launch_sum_squares(x, n, s, stream_);
  double total = 0;
  download(&total, s, sizeof total);
  return total;
}

void CudaBackend::scale(Tensor x, int64_t n, float factor) {
  require_dtype_in("scale", "x", x, {DType::f32, DType::bf16});
  launch_scale(x, n, factor, stream_);
}

void CudaBackend::adamw_update(const AdamWArgs& a) {
  require_dtype("adamw_update", "params (fp32 master weights)", a.params, DType::f32);
  if (a.params_copy) require_dtype("adamw_update", "params_copy", a.params_copy, DType::bf16);
  require_dtype_in("adamw_update", "grads", a.grads, {DType::f32, DType::bf16});
  require_dtype_in("adamw_update", "m", a.m, {DType::f32, DType::bf16});
  require_dtype("adamw_update", "v", a.v, a.m.dtype);
  launch_adamw(a, stream_);
}

}  // namespace dsmath::cuda
