// Flash attention (forward, backward), the KV-cache write and decode attention against the
// CPU twins, for causal GQA with and without segment ids, head dims 16 to 128, sequence
// lengths that are and are not multiples of the 64-row tiles. The naive same-precision
// reference is attention as an eager bf16 framework computes it: S = QK^T, the scaled scores,
// P and O each materialized in bf16 (fp32 accumulation inside every product), and autograd
// through those tensors for the backward.
#include <catch2/catch.hpp>

#include <cmath>

#include "backend/cpu/cpu_ops.hpp"
#include "cuda/attention_decode.cuh"
#include "cuda/cuda_backend.hpp"
#include "gpu_test_util.hpp"

using namespace dsmath;
using namespace dsmath::test;

namespace {
struct Case {
  int batch, seq, heads, kv_heads, head_dim;
  bool segments;
};

AttentionShape shape_of(const Case& c) {
  return {c.batch, c.seq, c.heads, c.kv_heads, c.head_dim, static_cast<int64_t>(c.heads + 2 * c.kv_heads) * c.head_dim,
          static_cast<int64_t>(c.heads) * c.head_dim, 1.0f / std::sqrt(static_cast<float>(c.head_dim))};
}

// packed documents: segment ids increase at random boundaries within each row
std::vector<int32_t> make_segments(const Case& c, uint64_t seed) {
  Rng rng(seed);
  std::vector<int32_t> seg(static_cast<size_t>(c.batch) * c.seq);
  for (int b = 0; b < c.batch; ++b) {
    int32_t id = 0;
    for (int t = 0; t < c.seq; ++t) {
      if (t > 0 && rng.below(23) == 0) ++id;
      seg[static_cast<size_t>(b) * c.seq + t] = id;
    }
  }
  return seg;
}

struct Naive {
  const AttentionShape& s;
  const std::vector<float>& qkv;
  const int32_t* seg;

  float at(int b, int t, int64_t col) const { return qkv[static_cast<size_t>((static_cast<int64_t>(b) * s.seq + t) * s.qkv_stride + col)]; }
  int64_t q_col(int h) const { return static_cast<int64_t>(h) * s.head_dim; }
  int64_t k_col(int kvh) const { return static_cast<int64_t>(s.n_heads + kvh) * s.head_dim; }
  int64_t v_col(int kvh) const { return static_cast<int64_t>(s.n_heads + s.n_kv_heads + kvh) * s.head_dim; }
  bool visible(int b, int i, int j) const {
    return j <= i && (seg == nullptr || seg[b * s.seq + i] == seg[b * s.seq + j]);
  }
  // bf16 P of one (batch, head): [seq][seq], 0 where masked
  std::vector<float> probabilities(int b, int h) const {
    const int T = s.seq, D = s.head_dim, kvh = h / (s.n_heads / s.n_kv_heads);
    std::vector<float> p(static_cast<size_t>(T) * T, 0.0f);
    for (int i = 0; i < T; ++i) {
      std::vector<float> ss(static_cast<size_t>(T), -INFINITY);
      float m = -INFINITY;
      for (int j = 0; j <= i; ++j) {
        if (!visible(b, i, j)) continue;
        float acc = 0;
        for (int d = 0; d < D; ++d) acc += at(b, i, q_col(h) + d) * at(b, j, k_col(kvh) + d);
        ss[static_cast<size_t>(j)] = round_bf16(round_bf16(acc) * s.scale);
        m = std::max(m, ss[static_cast<size_t>(j)]);
      }
      float sum = 0;
      for (int j = 0; j <= i; ++j)
        if (visible(b, i, j)) sum += std::exp(ss[static_cast<size_t>(j)] - m);
      for (int j = 0; j <= i; ++j)
        if (visible(b, i, j)) p[static_cast<size_t>(i) * T + j] = round_bf16(std::exp(ss[static_cast<size_t>(j)] - m) / sum);
    }
    return p;
  }

  std::vector<float> forward() const {
    std::vector<float> out(static_cast<size_t>(s.batch) * s.seq * s.out_stride, 0.0f);
    const int T = s.seq, D = s.head_dim;
    for (int b = 0; b < s.batch; ++b)
      for (int h = 0; h < s.n_heads; ++h) {
        const int kvh = h / (s.n_heads / s.n_kv_heads);
        const auto p = probabilities(b, h);
        for (int i = 0; i < T; ++i)
          for (int d = 0; d < D; ++d) {
            float acc = 0;
            for (int j = 0; j <= i; ++j) acc += p[static_cast<size_t>(i) * T + j] * at(b, j, v_col(kvh) + d);
            out[static_cast<size_t>((static_cast<int64_t>(b) * T + i) * s.out_stride + q_col(h) + d)] = round_bf16(acc);
          }
      }
    return out;
  }

  std::vector<float> backward(const std::vector<float>& dout) const {
    const int T = s.seq, D = s.head_dim, group = s.n_heads / s.n_kv_heads;
    std::vector<float> dqkv(qkv.size(), 0.0f);
    auto dout_at = [&](int b, int t, int h, int d) {
      return dout[static_cast<size_t>((static_cast<int64_t>(b) * T + t) * s.out_stride + q_col(h) + d)];
    };
    for (int b = 0; b < s.batch; ++b)
      for (int kvh = 0; kvh < s.n_kv_heads; ++kvh) {
        std::vector<float> dk_sum(static_cast<size_t>(T) * D, 0.0f), dv_sum(static_cast<size_t>(T) * D, 0.0f);
        for (int h = kvh * group; h < (kvh + 1) * group; ++h) {
          const auto p = probabilities(b, h);
          std::vector<float> dp(static_cast<size_t>(T) * T, 0.0f), ds(static_cast<size_t>(T) * T, 0.0f);
          for (int i = 0; i < T; ++i) {
            for (int j = 0; j <= i; ++j) {
              float acc = 0;
              for (int d = 0; d < D; ++d) acc += dout_at(b, i, h, d) * at(b, j, v_col(kvh) + d);
              dp[static_cast<size_t>(i) * T + j] = round_bf16(acc);
            }
            float dot = 0;  // softmax backward, fp32 inside
            for (int j = 0; j <= i; ++j) dot += p[static_cast<size_t>(i) * T + j] * dp[static_cast<size_t>(i) * T + j];
            for (int j = 0; j <= i; ++j) {
              const size_t ij = static_cast<size_t>(i) * T + j;
              ds[ij] = round_bf16(round_bf16(p[ij] * (dp[ij] - dot)) * s.scale);
            }
          }
          for (int i = 0; i < T; ++i)
            for (int d = 0; d < D; ++d) {
              float acc = 0;
              for (int j = 0; j <= i; ++j) acc += ds[static_cast<size_t>(i) * T + j] * at(b, j, k_col(kvh) + d);
              dqkv[static_cast<size_t>((static_cast<int64_t>(b) * T + i) * s.qkv_stride + q_col(h) + d)] = round_bf16(acc);
            }
          for (int j = 0; j < T; ++j)
            for (int d = 0; d < D; ++d) {
              float acc_k = 0, acc_v = 0;
              for (int i = j; i < T; ++i) {
                acc_k += ds[static_cast<size_t>(i) * T + j] * at(b, i, q_col(h) + d);
                acc_v += p[static_cast<size_t>(i) * T + j] * dout_at(b, i, h, d);
              }
              dk_sum[static_cast<size_t>(j) * D + d] += round_bf16(acc_k);
              dv_sum[static_cast<size_t>(j) * D + d] += round_bf16(acc_v);
            }
        }
        for (int j = 0; j < T; ++j)
          for (int d = 0; d < D; ++d) {
            const size_t row = static_cast<size_t>((static_cast<int64_t>(b) * T + j) * s.qkv_stride);
            dqkv[row + static_cast<size_t>(k_col(kvh) + d)] = round_bf16(dk_sum[static_cast<size_t>(j) * D + d]);
            dqkv[row + static_cast<size_t>(v_col(kvh) + d)] = round_bf16(dv_sum[static_cast<size_t>(j) * D + d]);
          }
      }
    return dqkv;
  }
};

const Case kCases[] = {
    {1, 1, 2, 1, 16, false},  {2, 17, 4, 2, 16, false},  {1, 64, 2, 2, 32, true},  {2, 100, 4, 1, 64, true},
    {1, 129, 2, 2, 128, false}, {1, 200, 8, 2, 128, true}, {3, 70, 4, 4, 64, false},
};
}  // namespace

TEST_CASE("gpu flash attention forward matches the CPU twin", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  for (const Case& c : kCases) {
    CAPTURE(c.batch, c.seq, c.heads, c.kv_heads, c.head_dim, c.segments);
    const AttentionShape s = shape_of(c);
    const size_t tokens = static_cast<size_t>(c.batch) * c.seq;
    const auto qkv = random_bf16(tokens * static_cast<size_t>(s.qkv_stride), 40);
    const auto seg = make_segments(c, 41);
    const int32_t* seg_host = c.segments ? seg.data() : nullptr;
    std::vector<float> out(tokens * static_cast<size_t>(s.out_stride)), lse(tokens * static_cast<size_t>(c.heads));
    cpu::attention_forward(out.data(), lse.data(), qkv.data(), seg_host, s);
    Buffer dqkv = to_device(*gpu, qkv, DType::bf16), dseg = to_device(*gpu, seg);
    Buffer dout = gpu->allocate(out.size() * 2), dlse = gpu->allocate(lse.size() * 4);
    gpu->attention_forward(dout.tensor(DType::bf16), static_cast<float*>(dlse.data()), dqkv.tensor(DType::bf16),
                           c.segments ? static_cast<const int32_t*>(dseg.data()) : nullptr, s);
    const Naive naive{s, qkv, seg_host};
    check_accuracy("attention forward", to_host(*gpu, dout, out.size(), DType::bf16), naive.forward(), out);
    // log-sum-exp from the same fp32 scores: summation order only
    CHECK(max_abs_diff(to_host(*gpu, dlse, lse.size(), DType::f32), lse) < 1e-4);
  }
}

TEST_CASE("gpu flash attention backward matches the CPU twin, with RoPE's backward folded in or not, and is deterministic", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  for (const Case& c : kCases) {
    CAPTURE(c.batch, c.seq, c.heads, c.kv_heads, c.head_dim, c.segments);
    const AttentionShape s = shape_of(c);
    const size_t tokens = static_cast<size_t>(c.batch) * c.seq;
    const auto qkv = random_bf16(tokens * static_cast<size_t>(s.qkv_stride), 42);
    const auto dout = random_bf16(tokens * static_cast<size_t>(s.out_stride), 43);
    const auto seg = make_segments(c, 44);
    const int32_t* seg_host = c.segments ? seg.data() : nullptr;
    // both backends get the same forward results: the output as the GPU stores it (bf16)
    std::vector<float> out(tokens * static_cast<size_t>(s.out_stride)), lse(tokens * static_cast<size_t>(c.heads));
    cpu::attention_forward(out.data(), lse.data(), qkv.data(), seg_host, s);
    out = round_bf16(out);
    std::vector<float> dqkv(qkv.size(), 0.0f);
    cpu::attention_backward(dqkv.data(), dout.data(), qkv.data(), out.data(), lse.data(), seg_host, s);

    Buffer d_qkv = to_device(*gpu, qkv, DType::bf16), d_dout = to_device(*gpu, dout, DType::bf16);
    Buffer d_out = to_device(*gpu, out, DType::bf16), d_lse = to_device(*gpu, lse, DType::f32);
    Buffer d_seg = to_device(*gpu, seg);
    // run 2 folds RoPE's backward in, at positions up to 4095 (large angles)
    std::vector<int32_t> positions(tokens);
    for (size_t t = 0; t < tokens; ++t) positions[t] = static_cast<int32_t>((37 * t + 5) % 4096);
    Buffer d_positions = to_device(*gpu, positions);
    const float theta = 10000.0f;
    std::vector<std::vector<float>> runs;
    for (int run = 0; run < 3; ++run) {
      Buffer d_dqkv = to_device(*gpu, random_vector(qkv.size(), 45 + run), DType::bf16);  // overwritten
      const RopeFold fold{run == 2 ? static_cast<const int32_t*>(d_positions.data()) : nullptr, theta};
      gpu->attention_backward(d_dqkv.tensor(DType::bf16), d_dout.tensor(DType::bf16), d_qkv.tensor(DType::bf16),
                              d_out.tensor(DType::bf16), static_cast<const float*>(d_lse.data()),
                              c.segments ? static_cast<const int32_t*>(d_seg.data()) : nullptr, s, fold);
      runs.push_back(to_host(*gpu, d_dqkv, qkv.size(), DType::bf16));
    }
    const Naive naive{s, qkv, seg_host};
    const auto naive_dqkv = naive.backward(dout);
    // RoPE's backward by hand in double (HF rotate_half pairs), on the naive gradient; the twin's
    // own rotation on the CPU's
    std::vector<float> naive_rotated = naive_dqkv, cpu_rotated = dqkv;
    for (size_t t = 0; t < tokens; ++t)
      for (int h = 0; h < c.heads + c.kv_heads; ++h)
        for (int i = 0; i < c.head_dim / 2; ++i) {
          const double angle = positions[t] * std::pow(double(theta), -2.0 * i / c.head_dim);
          float* v = naive_rotated.data() + t * static_cast<size_t>(s.qkv_stride) + static_cast<size_t>(h) * c.head_dim;
          const double d1 = v[i], d2 = v[i + c.head_dim / 2];
          v[i] = static_cast<float>(d1 * std::cos(angle) + d2 * std::sin(angle));
          v[i + c.head_dim / 2] = static_cast<float>(d2 * std::cos(angle) - d1 * std::sin(angle));
        }
    cpu::rope_backward(cpu_rotated.data(), positions.data(),
                       {static_cast<int64_t>(tokens), c.heads + c.kv_heads, c.head_dim, s.qkv_stride, theta});
    // dQ, dK and dV each against their own scale: the three kernels' outputs differ in size
    const int64_t q_width = static_cast<int64_t>(c.heads) * c.head_dim, kv_width = static_cast<int64_t>(c.kv_heads) * c.head_dim;
    const std::pair<int64_t, int64_t> blocks[] = {{0, q_width}, {q_width, kv_width}, {q_width + kv_width, kv_width}};
    const char* names[] = {"attention backward dQ", "attention backward dK", "attention backward dV"};
    for (int folded = 0; folded < 2; ++folded)
      for (int part = 0; part < 3; ++part) {
        CAPTURE(folded);
        std::vector<float> got, ref, nv;
        for (size_t t = 0; t < tokens; ++t)
          for (int64_t col = blocks[part].first; col < blocks[part].first + blocks[part].second; ++col) {
            const size_t i = t * static_cast<size_t>(s.qkv_stride) + static_cast<size_t>(col);
            got.push_back(runs[folded ? 2 : 0][i]);
            ref.push_back((folded ? cpu_rotated : dqkv)[i]);
            nv.push_back((folded ? naive_rotated : naive_dqkv)[i]);
          }
        check_accuracy(names[part], got, nv, ref);
      }
    CHECK(runs[0] == runs[1]);
  }
}

TEST_CASE("gpu KV-cache write and decode attention match the CPU twins", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  // a short cache (one block per row and head) and a long one split over blocks (flash-decoding:
  // 2 rows x 4 heads leave SMs idle), with a row shorter than the splits (empty splits)
  struct DecodeCase {
    int max_len;
    std::vector<int32_t> lengths;
  };
  const DecodeCase decode_cases[] = {{40, {1, 17, 40}}, {300, {3, 300}}};
  for (int head_dim : {16, 64, 128})
  for (const DecodeCase& dc : decode_cases) {
    CAPTURE(head_dim, dc.max_len);
    const int H = 4, KV = 2;
    const KvCacheShape cache{static_cast<int>(dc.lengths.size()), dc.max_len, KV, head_dim};
    AttentionShape s{0, 1, H, KV, head_dim, static_cast<int64_t>(H + 2 * KV) * head_dim,
                     static_cast<int64_t>(H) * head_dim, 1.0f / std::sqrt(static_cast<float>(head_dim))};
    const std::vector<int32_t>& lengths = dc.lengths;
    const int splits = cuda::attention_decode_splits({cache.slots, 1, H, KV, head_dim, 0, 0, 1.0f}, cache,
                                                     dynamic_cast<cuda::CudaBackend&>(*gpu).sm_count());
    CHECK((dc.max_len == 40 ? splits == 1 : splits > 3));
    // prompt tokens of every slot, written in one call, each prompt followed by two padding
    // tokens (slot -1, as prefill marks a row's tail) that must be skipped
    std::vector<int32_t> slots, positions;
    for (int slot = 0; slot < cache.slots; ++slot) {
      const int len = lengths[static_cast<size_t>(slot)];
      for (int p = 0; p < len; ++p) {
        slots.push_back(slot);
        positions.push_back(p);
      }
      for (int p = len; p < len + 2; ++p) {
        slots.push_back(-1);
        positions.push_back(p);
      }
    }
    const int64_t n_tokens = static_cast<int64_t>(slots.size());
    const auto rows = random_bf16(static_cast<size_t>(n_tokens * s.qkv_stride), 46);
    const size_t cache_elems = static_cast<size_t>(cache.slots) * cache.max_len * KV * head_dim;
    std::vector<float> kc(cache_elems, 0.0f), vc(cache_elems, 0.0f);
    cpu::kv_cache_write(kc.data(), vc.data(), rows.data(), slots.data(), positions.data(), n_tokens, s, cache);
    Buffer d_rows = to_device(*gpu, rows, DType::bf16), d_slots = to_device(*gpu, slots), d_pos = to_device(*gpu, positions);
    Buffer d_kc = to_device(*gpu, std::vector<float>(cache_elems, 0.0f), DType::bf16);
    Buffer d_vc = to_device(*gpu, std::vector<float>(cache_elems, 0.0f), DType::bf16);
    gpu->kv_cache_write(d_kc.tensor(DType::bf16), d_vc.tensor(DType::bf16), d_rows.tensor(DType::bf16),
                        static_cast<const int32_t*>(d_slots.data()), static_cast<const int32_t*>(d_pos.data()), n_tokens, s,
                        cache);
    CHECK(to_host(*gpu, d_kc, cache_elems, DType::bf16) == kc);
    CHECK(to_host(*gpu, d_vc, cache_elems, DType::bf16) == vc);

    // one decode row per slot, attending to its cached positions
    s.batch = cache.slots;
    const auto q = random_bf16(static_cast<size_t>(s.batch * s.qkv_stride), 47);
    std::vector<int32_t> row_slots(lengths.size());
    for (size_t r = 0; r < row_slots.size(); ++r) row_slots[r] = static_cast<int32_t>(r);
    std::vector<float> out(static_cast<size_t>(s.batch * s.out_stride), 0.0f);
    cpu::attention_decode(out.data(), q.data(), kc.data(), vc.data(), row_slots.data(), lengths.data(), s, cache);
    Buffer d_q = to_device(*gpu, q, DType::bf16), d_rs = to_device(*gpu, row_slots), d_len = to_device(*gpu, lengths);
    Buffer d_out = gpu->allocate(out.size() * 2);
    gpu->attention_decode(d_out.tensor(DType::bf16), d_q.tensor(DType::bf16), d_kc.tensor(DType::bf16),
                          d_vc.tensor(DType::bf16), static_cast<const int32_t*>(d_rs.data()),
                          static_cast<const int32_t*>(d_len.data()), s, cache);
    // naive bf16 decode: bf16 scores, bf16 probabilities, bf16 output
    std::vector<float> naive(out.size(), 0.0f);
    const int group = H / KV;
    for (int r = 0; r < s.batch; ++r)
      for (int h = 0; h < H; ++h) {
        const size_t base = (static_cast<size_t>(row_slots[static_cast<size_t>(r)]) * cache.max_len * KV + h / group) *
                            static_cast<size_t>(head_dim);
        const int len = lengths[static_cast<size_t>(r)];
        std::vector<float> sc(static_cast<size_t>(len));
        float m = -INFINITY, sum = 0;
        for (int j = 0; j < len; ++j) {
          float acc = 0;
          for (int d = 0; d < head_dim; ++d)
            acc += q[static_cast<size_t>(r * s.qkv_stride + h * head_dim + d)] *
                   kc[base + static_cast<size_t>(j) * KV * head_dim + static_cast<size_t>(d)];
          sc[static_cast<size_t>(j)] = round_bf16(round_bf16(acc) * s.scale);
          m = std::max(m, sc[static_cast<size_t>(j)]);
        }
        for (float x : sc) sum += std::exp(x - m);
        for (int d = 0; d < head_dim; ++d) {
          float acc = 0;
          for (int j = 0; j < len; ++j)
            acc += round_bf16(std::exp(sc[static_cast<size_t>(j)] - m) / sum) *
                   vc[base + static_cast<size_t>(j) * KV * head_dim + static_cast<size_t>(d)];
          naive[static_cast<size_t>(r * s.out_stride + h * head_dim + d)] = round_bf16(acc);
        }
      }
    check_accuracy("attention decode", to_host(*gpu, d_out, out.size(), DType::bf16), naive, out);
  }
}
