// GPU benchmark of the CUDA backend (run by the GPU bundle's driver, scripts/gpu/run.sh; not a
// test):
// - training throughput of a model shape (tokens/s, MFU = FLOPs per token x tokens/s over the
//   datasheet dense bf16 peak, FLOPs per token = 6 N + attention, ModelConfig's accounting),
//   with the bf16 GEMM rate cuBLASLt reaches on this GPU measured in the same run;
// - with --kernels, each op at the model's shapes against its floor: max(bytes / measured copy
//   bandwidth, FLOPs / peak);
// - with --decode, generation's decode step instead of training: tokens/s at each batch size
//   against the memory-bandwidth bound (every weight and each sequence's cached keys and
//   values read once per step, at the datasheet bandwidth).
// Each measurement ends in one line starting "RESULT " (the driver's summary table).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <cuda_runtime.h>

#include "backend/create.hpp"
#include "config/load.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/rng.hpp"
#include "cuda/peak_flops.hpp"
#include "dist/communicator.hpp"
#include "model/kv_cache.hpp"
#include "model/transformer.hpp"
#include "train/trainer.hpp"

using namespace dsmath;

namespace {
struct Options {
  std::string model = "configs/model/deepseek-1.3b.yaml";
  int layers = 0, seq = 4096, batch = 2, steps = 10, warmup = 3;
  bool recompute = false;
  std::string state_dtype = "f32", json, kernels;
  std::vector<int> decode_batches;  // non-empty: the decode benchmark
  int context = 512;                // decode: cached tokens per sequence before the timed steps
  bool probe = false;
};

std::vector<int> parse_batches(const std::string& list) {
  std::vector<int> out;
  size_t begin = 0;
  while (begin <= list.size()) {
    const size_t end = std::min(list.find(',', begin), list.size());
    const std::string item = list.substr(begin, end - begin);
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos || std::stoi(item) < 1)
      fail("--decode {}: expected batch sizes separated by commas, e.g. 1,16,64", list);
    out.push_back(std::stoi(item));
    begin = end + 1;
  }
  return out;
}

constexpr const char* kUsage =
    "usage: gpu_bench --probe   (prints the GPU the CUDA backend would use, or why there is none)\n"
    "       gpu_bench [--model configs/model/deepseek-1.3b.yaml] [--layers N] [--seq 4096]\n"
    "         [--batch 2] [--steps 10] [--warmup 3] [--recompute] [--state-dtype f32|bf16]\n"
    "         [--json out.json] [--kernels kernels.tsv]\n"
    "       gpu_bench --decode 1,16,64 [--model ...] [--layers N] [--context 512] [--steps 10]\n"
    "         [--json out.json]\n";

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail_hint("gpu_bench --help lists the options", "{} needs a value", a);
      return argv[++i];
    };
    if (a == "--model") o.model = value();
    else if (a == "--layers") o.layers = std::stoi(value());
    else if (a == "--seq") o.seq = std::stoi(value());
    else if (a == "--batch") o.batch = std::stoi(value());
    else if (a == "--steps") o.steps = std::stoi(value());
    else if (a == "--warmup") o.warmup = std::stoi(value());
    else if (a == "--recompute") o.recompute = true;
    else if (a == "--state-dtype") o.state_dtype = value();
    else if (a == "--json") o.json = value();
    else if (a == "--kernels") o.kernels = value();
    else if (a == "--decode") o.decode_batches = parse_batches(value());
    else if (a == "--context") o.context = std::stoi(value());
    else if (a == "--probe") o.probe = true;
    else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else fail_hint("gpu_bench --help lists the options", "unknown option {}", a);
  }
  return o;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Mean seconds per call of f over `reps` calls after one warm-up call.
double time_op(Backend& b, const std::function<void()>& f, int reps = 10) {
  f();
  b.synchronize();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) f();
  b.synchronize();
  return seconds_since(t0) / reps;
}

double gemm_rate(Backend& b) {
  const int64_t n = 8192;
  Buffer a = b.allocate(n * n * 2), w = b.allocate(n * n * 2), c = b.allocate(n * n * 2);
  b.fill_zero(a.data(), a.bytes());
  b.fill_zero(w.data(), w.bytes());
  // random-looking operands: zeros run faster than real data on Hopper
  Buffer f = b.allocate(n * n * 4);
  std::vector<float> host(static_cast<size_t>(n * n));
  Rng rng(3);
  for (auto& x : host) x = static_cast<float>(rng.normal());
  b.upload(f.data(), host.data(), host.size() * 4);
  b.convert(a.tensor(DType::bf16), f.tensor(DType::f32), n * n);
  b.convert(w.tensor(DType::bf16), f.tensor(DType::f32), n * n);
  const double s = time_op(b, [&] {
    b.matmul(c.tensor(DType::bf16), a.tensor(DType::bf16), w.tensor(DType::bf16), {n, n, n, false, true}, 1.0f, 0.0f);
  });
  return 2.0 * n * n * n / s;
}

double copy_bandwidth(Backend& b) {
  const size_t bytes = size_t{1} << 30;
  Buffer x = b.allocate(bytes), y = b.allocate(bytes);
  b.fill_zero(x.data(), bytes);
  const double s = time_op(b, [&] { b.copy(y.data(), x.data(), bytes); });
  return 2.0 * static_cast<double>(bytes) / s;  // read + write
}

// Normal(0, std) values for large device tensors without drawing each on the host (1.6B draws
// take longer than the benchmark): one 16M-value block, tiled over the tensor. Repeats do not
// matter for timing; what matters is that the operands are not zeros.
class NoiseBlock {
 public:
  NoiseBlock(Backend& b, double std) : b_(b), block_(b.allocate(kValues * 4)) {
    std::vector<float> h(static_cast<size_t>(kValues));
    Rng rng(5);
    for (auto& v : h) v = static_cast<float>(std * rng.normal());
    b.upload(block_.data(), h.data(), h.size() * 4);
  }
  void fill(Tensor dst, int64_t n) const {
    for (int64_t i = 0; i < n; i += kValues) b_.convert(dst.offset(i), block_.tensor(DType::f32), std::min(kValues, n - i));
  }

 private:
  static constexpr int64_t kValues = int64_t{1} << 24;
  Backend& b_;
  Buffer block_;
};

struct KernelRow {
  std::string op, shape;
  double seconds, bytes, flops;
};

void kernel_table(Backend& b, const ModelConfig& c, int batch, int seq, double peak, double bandwidth, const std::string& path) {
  const int64_t N = static_cast<int64_t>(batch) * seq, D = c.dim, F = c.ffn_dim, V = c.vocab_size;
  const int64_t QKV = c.qkv_dim(), hd = c.head_dim();
  const int64_t R = std::min<int64_t>(N, 4096);  // output-head chunk rows
  auto alloc = [&](int64_t elems, size_t size) {
    Buffer buf = b.allocate(static_cast<size_t>(elems) * size);
    b.fill_zero(buf.data(), buf.bytes());
    return buf;
  };
  Buffer x = alloc(N * D, 2), y = alloc(N * D, 2), w = alloc(D, 2), wg = alloc(D, 4), rstd = alloc(N, 4);
  Buffer qkv = alloc(N * QKV, 2), dqkv = alloc(N * QKV, 2), attn = alloc(N * D, 2), lse = alloc(N * c.n_heads, 4);
  Buffer gu = alloc(N * 2 * F, 2), act = alloc(N * F, 2), dgu = alloc(N * 2 * F, 2);
  Buffer logits = alloc(R * V, 2), logp = alloc(R, 4), dlogp = alloc(R, 4), table = alloc(V * D, 2), dtable = alloc(V * D, 4);
  Buffer tokens = alloc(N, 4), positions = alloc(N, 4);
  std::vector<int32_t> host_tokens(static_cast<size_t>(N));  // on the host too (embedding backward)
  {
    std::vector<int32_t> p(static_cast<size_t>(N));
    Rng rng(4);
    for (int64_t i = 0; i < N; ++i) {
      host_tokens[static_cast<size_t>(i)] = static_cast<int32_t>(rng.below(static_cast<uint64_t>(V)));
      p[static_cast<size_t>(i)] = static_cast<int32_t>(i % seq);
    }
    b.upload(tokens.data(), host_tokens.data(), host_tokens.size() * 4);
    b.upload(positions.data(), p.data(), p.size() * 4);
    std::vector<float> ones(static_cast<size_t>(R), 1.0f / static_cast<float>(R));
    b.upload(dlogp.data(), ones.data(), ones.size() * 4);
  }
  // random operands: zeros would make every softmax row uniform and run the GEMMs faster
  // than real data does on Hopper
  const NoiseBlock noise(b, 1.0);
  auto randomize = [&](Buffer& buf) { noise.fill(buf.tensor(DType::bf16), static_cast<int64_t>(buf.bytes() / 2)); };
  Buffer dlogits = alloc(R * V, 2);
  Buffer wbig = alloc(std::max({QKV * D, 2 * F * D, V * D}), 2), gradw = alloc(std::max({QKV * D, 2 * F * D, V * D}), 4);
  for (Buffer* buf : {&x, &w, &qkv, &attn, &gu, &act, &logits, &table, &wbig}) randomize(*buf);
  const auto* tok = static_cast<const int32_t*>(tokens.data());
  const auto* pos = static_cast<const int32_t*>(positions.data());
  const Tensor X = x.tensor(DType::bf16), Y = y.tensor(DType::bf16), W = w.tensor(DType::bf16);
  const AttentionShape as{batch, seq, c.n_heads, c.n_kv_heads, c.head_dim(), QKV, D, 1.0f / std::sqrt(static_cast<float>(hd))};
  const RopeShape rs{N, c.n_heads + c.n_kv_heads, c.head_dim(), QKV, static_cast<float>(c.rope_theta)};
  const double attn_fwd_flops = 2.0 * batch * c.n_heads * static_cast<double>(seq) * seq * hd;  // causal half of 4 T^2 hd
  std::vector<KernelRow> rows;
  auto add = [&](const std::string& op, const std::string& shape, double bytes, double flops, const std::function<void()>& f) {
    rows.push_back({op, shape, time_op(b, f), bytes, flops});
  };
  const std::string nd = fmt::format("{}x{}", N, D);
  add("embedding_forward", nd, 4.0 * N * D, 0, [&] { b.embedding_forward(X, tok, table.tensor(DType::bf16), N, static_cast<int>(D)); });
  add("embedding_backward", nd, 2.0 * N * D + 8.0 * N * D, N * D,
      [&] { b.embedding_backward(dtable.tensor(DType::f32), host_tokens, X, static_cast<int>(D)); });
  add("rmsnorm_forward", nd, 4.0 * N * D, 4.0 * N * D,
      [&] { b.rmsnorm_forward(Y, static_cast<float*>(rstd.data()), X, W, N, static_cast<int>(D), 1e-6f); });
  add("rmsnorm_backward", nd, 12.0 * N * D, 8.0 * N * D, [&] {
    b.rmsnorm_backward(Y, wg.tensor(DType::f32), X, X, W, static_cast<const float*>(rstd.data()), N, static_cast<int>(D));
  });
  add("rope_forward", fmt::format("{}x{}x{}", N, rs.n_heads_rotated, hd), 4.0 * N * rs.n_heads_rotated * hd,
      6.0 * N * rs.n_heads_rotated * hd / 2, [&] { b.rope_forward(qkv.tensor(DType::bf16), pos, rs); });
  const std::string ash = fmt::format("b{} T{} H{}/{} d{}", batch, seq, c.n_heads, c.n_kv_heads, hd);
  add("attention_forward", ash, 2.0 * N * (QKV + D), attn_fwd_flops, [&] {
    b.attention_forward(attn.tensor(DType::bf16), static_cast<float*>(lse.data()), qkv.tensor(DType::bf16), nullptr, as);
  });
  // floor with the algorithm's 5 tile products (2.5x forward); the kernels do 7 (deterministic dQ)
  add("attention_backward", ash, 2.0 * N * (2 * QKV + 2 * D), 2.5 * attn_fwd_flops, [&] {
    b.attention_backward(dqkv.tensor(DType::bf16), attn.tensor(DType::bf16), qkv.tensor(DType::bf16),
                         attn.tensor(DType::bf16), static_cast<const float*>(lse.data()), nullptr, as);
  });
  const std::string nf = fmt::format("{}x{}", N, F);
  add("swiglu_forward", nf, 6.0 * N * F, 10.0 * N * F,
      [&] { b.swiglu_forward(act.tensor(DType::bf16), gu.tensor(DType::bf16), N, static_cast<int>(F)); });
  add("swiglu_backward", nf, 10.0 * N * F, 20.0 * N * F, [&] {
    b.swiglu_backward(dgu.tensor(DType::bf16), act.tensor(DType::bf16), gu.tensor(DType::bf16), N, static_cast<int>(F));
  });
  const std::string rv = fmt::format("{}x{}", R, V);
  add("token_logprobs_forward", rv, 2.0 * R * V, 4.0 * R * V, [&] {
    b.token_logprobs_forward(static_cast<float*>(logp.data()), nullptr, logits.tensor(DType::bf16), tok, R, static_cast<int>(V));
  });
  add("token_logprobs_backward", rv, 6.0 * R * V, 6.0 * R * V, [&] {
    // not in place here, so every repetition sees the same logits
    b.token_logprobs_backward(dlogits.tensor(DType::bf16), logits.tensor(DType::bf16), tok,
                              static_cast<const float*>(dlogp.data()), R, static_cast<int>(V));
  });
  struct G {
    const char* name;
    int64_t m, n, k;
    bool ta;
    Buffer *a, *bb, *cc;
    DType c_dtype;
  };
  for (const G& g : {G{"matmul qkv", N, QKV, D, false, &x, &wbig, &qkv, DType::bf16},
                     G{"matmul o_proj", N, D, D, false, &attn, &wbig, &y, DType::bf16},
                     G{"matmul gate_up", N, 2 * F, D, false, &x, &wbig, &gu, DType::bf16},
                     G{"matmul down", N, D, F, false, &act, &wbig, &y, DType::bf16},
                     G{"matmul head chunk", R, V, D, false, &x, &wbig, &logits, DType::bf16},
                     G{"matmul dW gate_up (f32 accumulate)", 2 * F, D, N, true, &gu, &x, &gradw, DType::f32}}) {
    const double flops = 2.0 * g.m * g.n * g.k;
    const double bytes = 2.0 * (g.m * g.k + g.k * g.n) + static_cast<double>(dtype_size(g.c_dtype)) * g.m * g.n;
    add(g.name, fmt::format("{}x{}x{}", g.m, g.n, g.k), bytes, flops, [&] {
      b.matmul(g.cc->tensor(g.c_dtype), g.a->tensor(DType::bf16), g.bb->tensor(DType::bf16),
               {g.m, g.n, g.k, g.ta, !g.ta}, 1.0f, g.c_dtype == DType::f32 ? 1.0f : 0.0f);
    });
  }
  const int64_t P = c.num_parameters();
  Buffer master = alloc(P, 4), grads = alloc(P, 4), m = alloc(P, 4), v = alloc(P, 4), copy = alloc(P, 2);
  add("adamw_update (f32 moments)", fmt::format("{}", P), 30.0 * P, 20.0 * P, [&] {
    AdamWArgs a;
    a.params = master.tensor(DType::f32);
    a.params_copy = copy.tensor(DType::bf16);
    a.grads = grads.tensor(DType::f32);
    a.m = m.tensor(DType::f32);
    a.v = v.tensor(DType::f32);
    a.n = P;
    a.lr = 1e-4f;
    b.adamw_update(a);
  });
  add("sum_squares (grad norm)", fmt::format("{}", P), 4.0 * P, 2.0 * P, [&] { b.sum_squares(grads.tensor(DType::f32), P); });

  std::ofstream out(path);
  out << "op\tshape\ttime_us\tfloor_us\tfloor/time\tbound\n";
  std::printf("%-36s %-22s %10s %10s %8s  %s\n", "op", "shape", "time us", "floor us", "of floor", "bound");
  for (const KernelRow& r : rows) {
    const double mem_s = r.bytes / bandwidth, flop_s = r.flops / peak;
    const double floor_s = std::max(mem_s, flop_s);
    const char* bound = flop_s > mem_s ? "FLOPs" : "memory";
    out << r.op << '\t' << r.shape << '\t' << r.seconds * 1e6 << '\t' << floor_s * 1e6 << '\t' << floor_s / r.seconds << '\t'
        << bound << '\n';
    std::printf("%-36s %-22s %10.1f %10.1f %7.0f%%  %s\n", r.op.c_str(), r.shape.c_str(), r.seconds * 1e6, floor_s * 1e6,
                100 * floor_s / r.seconds, bound);
  }
}

// The device's memory bandwidth from the datasheet table (cuda/peak_flops.cpp), for the GPU the
// backend runs on (it has made that device current).
cuda::GpuBandwidth device_memory_bandwidth() {
  int device = 0, clock_khz = 0, bus_bits = 0;
  cudaGetDevice(&device);
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, device);
  cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, device);
  cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, device);
  return cuda::datasheet_memory_bandwidth(prop.name, clock_khz, bus_bits);
}

// Generation's decode step at each batch size: `context` tokens cached per sequence (one
// prefill), then `steps` steps of one new token per sequence as the engine runs them:
// forward_with_cache with the rows sampled on the device (temperature 1, as GRPO rollouts), the
// draw keys uploaded and the tokens and log-probs downloaded, asynchronously from pinned memory.
// The first step is a warm-up; then odd steps launch their ops one by one and even steps replay
// a CUDA graph of the step (the engine's way), and both are reported. The bound: a step reads every weight it uses
// once (all but the input embedding table, which is gathered) and each sequence's cached keys
// and values, at the datasheet bandwidth.
Json decode_bench(Backend& b, const ModelConfig& mc, const std::vector<int>& batches, int context, int steps,
                  const cuda::GpuBandwidth& hbm, double copy_bandwidth) {
  if (steps < 6)
    fail_hint("use --steps 6 or more", "--decode: {} steps leave too few to time both ways after the warm-up step", steps);
  if (context < 1 || context + steps > mc.max_seq_len)
    fail_hint(fmt::format("keep --context + --steps within --seq ({})", mc.max_seq_len),
              "--decode: context {} + {} steps does not fit the model's {} positions", context, steps, mc.max_seq_len);
  Transformer model(mc, b, {false, false, 4096});
  NoiseBlock(b, mc.init_std).fill(model.params(), model.num_params());
  const double elem = static_cast<double>(dtype_size(b.compute_dtype()));
  const int64_t streamed_params = mc.num_parameters() - (mc.tie_embeddings ? 0 : int64_t{mc.vocab_size} * mc.dim);
  const double weight_bytes = elem * static_cast<double>(streamed_params);
  Json rows = Json::array();
  Rng rng(11);
  auto random_token = [&] { return static_cast<int32_t>(rng.below(static_cast<uint64_t>(mc.vocab_size))); };
  for (const int batch : batches) {
    KvCache cache(b, mc, batch, context + steps);
    CacheBatch prefill;
    prefill.rows = batch;
    prefill.seq = context;
    prefill.tokens.resize(static_cast<size_t>(batch) * context);
    for (auto& t : prefill.tokens) t = random_token();
    prefill.n_new.assign(static_cast<size_t>(batch), context);
    prefill.start.assign(static_cast<size_t>(batch), 0);
    for (int r = 0; r < batch; ++r) prefill.slots.push_back(r);
    std::vector<float> logits;
    model.forward_with_cache(prefill, cache, logits);
    CacheBatch step = prefill;
    step.seq = 1;
    step.tokens.resize(static_cast<size_t>(batch));
    step.n_new.assign(static_cast<size_t>(batch), 1);
    Buffer keys = b.allocate(static_cast<size_t>(batch) * 8), sampled = b.allocate(static_cast<size_t>(batch) * 8);
    Buffer host_keys = b.allocate_pinned(keys.bytes()), host_sampled = b.allocate_pinned(sampled.bytes());
    auto* d_tokens = static_cast<int32_t*>(sampled.data());
    auto* d_logprobs = reinterpret_cast<float*>(d_tokens + batch);
    // the engine's decode step (GenerationEngine::enqueue_step): all queued, one sync after
    auto enqueue = [&] {
      b.upload_async(keys.data(), host_keys.data(), keys.bytes());
      model.enqueue_cache_batch([&](Tensor step_logits, int64_t r0, int64_t rows) {
        b.sample_tokens(d_tokens + r0, d_logprobs + r0, step_logits, static_cast<const uint64_t*>(keys.data()) + r0, rows,
                        mc.vocab_size, {1.0, 1.0, 0});
      });
      b.download_async(host_sampled.data(), sampled.data(), sampled.bytes());
    };
    // steps alternate: launched op by op, then replayed from a graph captured after the warm-up
    std::unique_ptr<CapturedWork> graph;
    double timed[2] = {0, 0};
    int counted[2] = {0, 0};
    for (int s = 0; s < steps; ++s) {
      for (auto& t : step.tokens) t = random_token();
      step.start.assign(static_cast<size_t>(batch), context + s);
      const auto t0 = std::chrono::steady_clock::now();
      model.stage_cache_batch(step, cache);
      for (int r = 0; r < batch; ++r) static_cast<uint64_t*>(host_keys.data())[r] = rng.next_u64();
      const int mode = s > 0 && s % 2 == 0 ? 1 : 0;
      const bool capturing = mode == 1 && graph == nullptr;  // not timed
      if (capturing) graph = b.capture(enqueue);
      if (mode == 1) graph->replay();
      else enqueue();
      b.synchronize();
      if (s > 0 && !capturing) {
        timed[mode] += seconds_since(t0);
        ++counted[mode];
      }
    }
    const double step_s = timed[1] / counted[1], eager_step_s = timed[0] / counted[0];
    // timed steps s = 1 .. steps-1 attend over context + s + 1 cached positions
    const double mean_cached = context + 1 + steps / 2.0;
    const double kv_bytes = elem * batch * mc.n_layers * 2.0 * mc.kv_dim() * mean_cached;
    const double bound_s = (weight_bytes + kv_bytes) / hbm.bytes_per_s;
    const double tokens_per_s = batch / step_s;
    Json row{{"batch", batch},
             {"context", context},
             {"step_time_s", step_s},
             {"uncaptured_step_time_s", eager_step_s},
             {"tokens_per_s", tokens_per_s},
             {"bytes_per_step", weight_bytes + kv_bytes},
             {"bound_tokens_per_s", batch / bound_s},
             {"fraction_of_bound", bound_s / step_s},
             {"fraction_of_copy_rate", (weight_bytes + kv_bytes) / copy_bandwidth / step_s}};
    std::printf("RESULT decode L=%d batch %d, context %d: %.0f tokens/s from a CUDA graph (%.2fx the op-by-op step), %.0f%% of "
                "the memory bound (%.0f tokens/s at %.2f TB/s)\n",
                mc.n_layers, batch, context, tokens_per_s, eager_step_s / step_s, 100 * bound_s / step_s, batch / bound_s,
                hbm.bytes_per_s / 1e12);
    std::fflush(stdout);
    rows.push_back(row);
  }
  return rows;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    auto backend = create_backend({"cuda", 0, -1});
    if (o.probe) {
      std::printf("%s\n", backend->description().c_str());
      return 0;
    }
    std::vector<std::string> overrides{fmt::format("max_seq_len={}", o.seq)};
    if (o.layers > 0) overrides.push_back(fmt::format("n_layers={}", o.layers));
    const ModelConfig mc = config::load_config<ModelConfig>({o.model, overrides});
    std::fprintf(stderr, "backend: %s\n", backend->description().c_str());

    const double bandwidth = copy_bandwidth(*backend);
    if (!o.decode_batches.empty()) {
      const cuda::GpuBandwidth hbm = device_memory_bandwidth();
      std::fprintf(stderr, "device copy: %.0f GB/s; memory bound from %s\n", bandwidth / 1e9, hbm.source.c_str());
      const Json result{{"model", o.model},
                        {"layers", mc.n_layers},
                        {"params", mc.num_parameters()},
                        {"device", backend->description()},
                        {"memory_bandwidth_tb_per_s", hbm.bytes_per_s / 1e12},
                        {"memory_bandwidth_source", hbm.source},
                        {"copy_gb_per_s", bandwidth / 1e9},
                        {"decode", decode_bench(*backend, mc, o.decode_batches, o.context, o.steps, hbm, bandwidth)}};
      if (!o.json.empty()) std::ofstream(o.json) << result.dump(2) << "\n";
      return 0;
    }
    const double peak = backend->peak_flops();
    const double gemm_flops = gemm_rate(*backend);
    std::fprintf(stderr, "cuBLASLt bf16 8192^3: %.0f TFLOP/s; device copy: %.0f GB/s\n", gemm_flops / 1e12, bandwidth / 1e9);

    Json result{{"model", o.model},
                {"layers", mc.n_layers},
                {"dim", mc.dim},
                {"seq", o.seq},
                {"batch", o.batch},
                {"params", mc.num_parameters()},
                {"device", backend->description()},
                {"peak_tflops", peak / 1e12},
                {"gemm_tflops", gemm_flops / 1e12},
                {"copy_gb_per_s", bandwidth / 1e9},
                {"state_dtype", o.state_dtype},
                {"recompute", o.recompute}};
    {
      Transformer model(mc, *backend, {true, o.recompute, 4096});
      OptimConfig oc;
      oc.state_dtype = o.state_dtype;
      SingleProcessCommunicator comm;
      Trainer trainer(model, comm, oc, TrainConfig{}, DistConfig{}, o.warmup + o.steps);
      const auto t_init = std::chrono::steady_clock::now();
      trainer.optimizer().set_master(model.init_parameters(1234));
      std::fprintf(stderr, "init: %.1f s\n", seconds_since(t_init));
      TokenBatch batch;
      batch.resize(o.batch, o.seq);
      Rng rng(7);
      for (size_t i = 0; i < batch.tokens.size(); ++i) {
        batch.tokens[i] = static_cast<int32_t>(rng.below(static_cast<uint64_t>(mc.vocab_size)));
        batch.targets[i] = static_cast<int32_t>(rng.below(static_cast<uint64_t>(mc.vocab_size)));
      }
      const double n_targets = static_cast<double>(batch.count_targets());
      const Objective cross_entropy = [n_targets](const TokenBatch& b, std::span<const float> logp, std::span<float> dlogp) {
        double loss = 0;
        for (size_t i = 0; i < logp.size(); ++i) {
          if (b.targets[i] < 0) continue;
          loss -= logp[i];
          dlogp[i] = static_cast<float>(-1.0 / n_targets);
        }
        return loss / n_targets;
      };
      double timed = 0, loss = 0;
      for (int step = 0; step < o.warmup + o.steps; ++step) {
        const auto t0 = std::chrono::steady_clock::now();
        trainer.begin_step();
        trainer.accumulate(batch, cross_entropy);
        loss = trainer.finish_step().loss;
        backend->synchronize();
        const double dt = seconds_since(t0);
        if (step >= o.warmup) timed += dt;
        std::fprintf(stderr, "step %d: %.3f s, loss %.4f\n", step + 1, dt, loss);
      }
      const double tokens_per_s = static_cast<double>(o.batch) * o.seq * o.steps / timed;
      const double fpt = mc.train_flops_per_token(o.seq);
      result["flops_per_token"] = fpt;
      result["tokens_per_s"] = tokens_per_s;
      result["step_time_s"] = timed / o.steps;
      result["mfu"] = fpt * tokens_per_s / peak;
      result["fraction_of_gemm_rate"] = fpt * tokens_per_s / gemm_flops;
      result["memory_gib"] = static_cast<double>(backend->memory_in_use()) / (1u << 30);
      result["final_loss"] = loss;
      std::printf("RESULT train L=%d seq %d batch %d: %.0f tokens/s, MFU %.1f%%, %.1f%% of the cuBLASLt bf16 rate (%.0f TFLOP/s), %.1f GiB\n",
                  mc.n_layers, o.seq, o.batch, tokens_per_s, 100 * fpt * tokens_per_s / peak,
                  100 * fpt * tokens_per_s / gemm_flops, gemm_flops / 1e12, result["memory_gib"].get<double>());
    }
    std::printf("%s\n", result.dump().c_str());
    if (!o.json.empty()) std::ofstream(o.json) << result.dump(2) << "\n";
    if (!o.kernels.empty()) kernel_table(*backend, mc, o.batch, o.seq, peak, bandwidth, o.kernels);
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "gpu_bench: error: %s\n%s%s\n", e.what(), e.hint().empty() ? "" : "hint: ", e.hint().c_str());
    return 1;
  }
}
