// Each elementwise, normalization, embedding, loss and optimizer op of the CUDA backend
// against its CPU twin (backend/cpu) on fresh random inputs of several shapes, odd sizes
// included. Criterion: gpu_test_util.hpp.
#include <catch2/catch.hpp>

#include <cfloat>
#include <cstring>

#include "backend/cpu/cpu_ops.hpp"
#include "cuda/stochastic_rounding.hpp"
#include "gpu_test_util.hpp"

using namespace dsmath;
using namespace dsmath::test;

TEST_CASE("gpu convert matches the host conversions bit for bit", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  std::vector<float> x = random_vector(1003, 1, 100.0f);
  x[0] = 1e-40f;  // subnormal
  x[1] = 65504.0f;
  x[2] = -INFINITY;
  x[3] = 3.0e38f;
  const int64_t n = static_cast<int64_t>(x.size());
  Buffer src = to_device(*gpu, x, DType::f32);
  for (DType t : {DType::bf16, DType::f16}) {
    Buffer narrow = gpu->allocate(x.size() * 2), wide = gpu->allocate(x.size() * 4);
    gpu->convert(narrow.tensor(t), src.tensor(DType::f32), n);
    gpu->convert(wide.tensor(DType::f32), narrow.tensor(t), n);
    std::vector<uint16_t> bits(x.size());
    std::vector<float> back(x.size());
    gpu->download(bits.data(), narrow.data(), bits.size() * 2);
    gpu->download(back.data(), wide.data(), back.size() * 4);
    for (size_t i = 0; i < x.size(); ++i) {
      const uint16_t expected = t == DType::bf16 ? float_to_bf16_bits(x[i]) : float_to_fp16_bits(x[i]);
      REQUIRE(bits[i] == expected);
      const float widened = t == DType::bf16 ? bf16_bits_to_float(expected) : fp16_bits_to_float(expected);
      REQUIRE(std::memcmp(&back[i], &widened, 4) == 0);
    }
  }
}

TEST_CASE("gpu add and scale round exactly like the host", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  for (size_t n : {1, 8, 1001, 70000}) {
    const auto a = random_bf16(n, 2), b = random_bf16(n, 3);
    Buffer da = to_device(*gpu, a, DType::bf16), db = to_device(*gpu, b, DType::bf16);
    gpu->add(da.tensor(DType::bf16), da.tensor(DType::bf16), db.tensor(DType::bf16), static_cast<int64_t>(n));  // aliased
    std::vector<float> expected(n);
    for (size_t i = 0; i < n; ++i) expected[i] = round_bf16(a[i] + b[i]);
    CHECK(to_host(*gpu, da, n, DType::bf16) == expected);
    gpu->scale(db.tensor(DType::bf16), static_cast<int64_t>(n), 0.37f);
    for (size_t i = 0; i < n; ++i) expected[i] = round_bf16(b[i] * 0.37f);
    CHECK(to_host(*gpu, db, n, DType::bf16) == expected);
    Buffer f = to_device(*gpu, a, DType::f32);
    gpu->scale(f.tensor(DType::f32), static_cast<int64_t>(n), -2.5f);
    for (size_t i = 0; i < n; ++i) expected[i] = a[i] * -2.5f;
    CHECK(to_host(*gpu, f, n, DType::f32) == expected);
  }
}

TEST_CASE("gpu sum of squares equals the CPU's in double and is bit-reproducible", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  for (size_t n : {1, 1000, 65536 + 7, 300001}) {
    const auto x = random_bf16(n, 4, 0.01f);
    for (DType t : {DType::f32, DType::bf16}) {
      Buffer d = to_device(*gpu, x, t);
      const double got = gpu->sum_squares(d.tensor(t), static_cast<int64_t>(n));
      CHECK(got == Approx(cpu::sum_squares(x.data(), static_cast<int64_t>(n))).epsilon(1e-12));
      const double again = gpu->sum_squares(d.tensor(t), static_cast<int64_t>(n));
      CHECK(std::memcmp(&got, &again, sizeof got) == 0);
    }
  }
}

TEST_CASE("gpu rmsnorm forward and backward match the CPU twin", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  const float eps = 1e-6f;
  struct Shape {
    int64_t rows;
    int dim;
    float scale;  // of the inputs: at 1e-3 the mean square is about eps, and leaving eps out shows
  };
  for (const Shape& s : {Shape{1, 8, 1.0f}, Shape{7, 37, 1.0f}, Shape{33, 64, 1.0f}, Shape{300, 4096, 1.0f},
                         Shape{9, 256, 1e-3f}, Shape{5, 37, 3e-4f}}) {
    CAPTURE(s.rows, s.dim, s.scale);
    const size_t n = static_cast<size_t>(s.rows * s.dim);
    const auto x = random_bf16(n, 5, s.scale), w = random_bf16(static_cast<size_t>(s.dim), 6);
    std::vector<float> y(n), rstd(static_cast<size_t>(s.rows));
    cpu::rmsnorm_forward(y.data(), rstd.data(), x.data(), w.data(), s.rows, s.dim, eps);
    Buffer dx = to_device(*gpu, x, DType::bf16), dw = to_device(*gpu, w, DType::bf16);
    Buffer dy = gpu->allocate(n * 2), drstd = gpu->allocate(rstd.size() * 4);
    gpu->rmsnorm_forward(dy.tensor(DType::bf16), static_cast<float*>(drstd.data()), dx.tensor(DType::bf16),
                         dw.tensor(DType::bf16), s.rows, s.dim, eps);
    check_accuracy("rmsnorm forward", to_host(*gpu, dy, n, DType::bf16), round_bf16(y), y);
    const auto gpu_rstd = to_host(*gpu, drstd, rstd.size(), DType::f32);
    for (size_t r = 0; r < rstd.size(); ++r) CHECK(gpu_rstd[r] == Approx(rstd[r]).epsilon(1e-5));

    // backward: both outputs accumulate into what is there
    const auto g = random_bf16(n, 7), din0 = random_bf16(n, 8);
    const auto dw0 = random_vector(static_cast<size_t>(s.dim), 9);
    std::vector<float> din = din0, dweight = dw0;
    cpu::rmsnorm_backward(din.data(), dweight.data(), g.data(), x.data(), w.data(), rstd.data(), s.rows, s.dim);
    Buffer dg = to_device(*gpu, g, DType::bf16), ddin = to_device(*gpu, din0, DType::bf16);
    Buffer ddw = to_device(*gpu, dw0, DType::f32), ddw16 = to_device(*gpu, round_bf16(dw0), DType::bf16);
    Buffer rstd_in = to_device(*gpu, rstd, DType::f32);
    gpu->rmsnorm_backward(ddin.tensor(DType::bf16), ddw.tensor(DType::f32), dg.tensor(DType::bf16), dx.tensor(DType::bf16),
                          dw.tensor(DType::bf16), static_cast<const float*>(rstd_in.data()), s.rows, s.dim);
    check_accuracy("rmsnorm backward din", to_host(*gpu, ddin, n, DType::bf16), round_bf16(din), din);
    // f32 weight gradient: the same sums in another order (fixed row chunks)
    CHECK(relative_l2(to_host(*gpu, ddw, dweight.size(), DType::f32), dweight) < 1e-5);
    Buffer ddin2 = to_device(*gpu, din0, DType::bf16);
    gpu->rmsnorm_backward(ddin2.tensor(DType::bf16), ddw16.tensor(DType::bf16), dg.tensor(DType::bf16),
                          dx.tensor(DType::bf16), dw.tensor(DType::bf16), static_cast<const float*>(rstd_in.data()),
                          s.rows, s.dim);
    std::vector<float> dweight16 = round_bf16(dw0);
    std::vector<float> din_unused = din0;
    cpu::rmsnorm_backward(din_unused.data(), dweight16.data(), g.data(), x.data(), w.data(), rstd.data(), s.rows, s.dim);
    check_accuracy("rmsnorm backward dweight (bf16)", to_host(*gpu, ddw16, dweight16.size(), DType::bf16),
                   round_bf16(dweight16), dweight16);
  }
}

TEST_CASE("gpu embedding gathers exactly and scatters gradients deterministically", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  for (int dim : {8, 37, 256}) {
    CAPTURE(dim);
    const int vocab = 50;
    const int64_t n_tokens = 301;
    Rng rng(10);
    std::vector<int32_t> tokens(static_cast<size_t>(n_tokens));
    for (auto& t : tokens) t = static_cast<int32_t>(rng.below(vocab / 3) * 3);  // many repeats
    const auto table = random_bf16(static_cast<size_t>(vocab * dim), 11);
    std::vector<float> out(static_cast<size_t>(n_tokens * dim));
    cpu::embedding_forward(out.data(), tokens.data(), table.data(), n_tokens, dim);
    Buffer dtok = to_device(*gpu, tokens), dtable = to_device(*gpu, table, DType::bf16);
    Buffer dout = gpu->allocate(out.size() * 2);
    gpu->embedding_forward(dout.tensor(DType::bf16), static_cast<const int32_t*>(dtok.data()), dtable.tensor(DType::bf16),
                           n_tokens, dim);
    CHECK(to_host(*gpu, dout, out.size(), DType::bf16) == out);

    const auto g = random_bf16(out.size(), 12);
    const auto grad0 = random_vector(table.size(), 13);
    std::vector<float> grad = grad0;
    cpu::embedding_backward(grad.data(), tokens.data(), g.data(), n_tokens, dim);
    Buffer dg = to_device(*gpu, g, DType::bf16);
    std::vector<std::vector<float>> runs;
    for (int run = 0; run < 2; ++run) {
      Buffer dgrad = to_device(*gpu, grad0, DType::f32);
      gpu->embedding_backward(dgrad.tensor(DType::f32), tokens, dg.tensor(DType::bf16), dim);
      runs.push_back(to_host(*gpu, dgrad, grad.size(), DType::f32));
    }
    CHECK(relative_l2(runs[0], grad) < 1e-6);
    CHECK(std::memcmp(runs[0].data(), runs[1].data(), runs[0].size() * 4) == 0);
  }
}

TEST_CASE("gpu rope forward and backward match the CPU twin", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  struct Shape {
    int64_t tokens;
    int heads, head_dim, pad;
  };
  for (const Shape& s : {Shape{1, 3, 16, 0}, Shape{37, 6, 64, 8}, Shape{300, 3, 128, 128}}) {
    CAPTURE(s.tokens, s.heads, s.head_dim);
    const RopeShape rs{s.tokens, s.heads, s.head_dim, static_cast<int64_t>(s.heads) * s.head_dim + s.pad, 10000.0f};
    const size_t n = static_cast<size_t>(s.tokens * rs.row_stride);
    Rng rng(14);
    std::vector<int32_t> pos(static_cast<size_t>(s.tokens));
    for (auto& p : pos) p = static_cast<int32_t>(rng.below(4096));
    Buffer dpos = to_device(*gpu, pos);
    for (bool backward : {false, true}) {
      const auto x = random_bf16(n, backward ? 16 : 15);
      std::vector<float> ref = x;
      (backward ? cpu::rope_backward : cpu::rope_forward)(ref.data(), pos.data(), rs);
      Buffer dx = to_device(*gpu, x, DType::bf16);
      if (backward)
        gpu->rope_backward(dx.tensor(DType::bf16), static_cast<const int32_t*>(dpos.data()), rs);
      else
        gpu->rope_forward(dx.tensor(DType::bf16), static_cast<const int32_t*>(dpos.data()), rs);
      const auto got = to_host(*gpu, dx, n, DType::bf16);
      check_accuracy(backward ? "rope backward" : "rope forward", got, round_bf16(ref), ref);
      // the columns past the rotated heads are untouched
      for (int64_t t = 0; t < s.tokens; ++t)
        for (int c = s.heads * s.head_dim; c < rs.row_stride; ++c)
          REQUIRE(got[static_cast<size_t>(t * rs.row_stride + c)] == x[static_cast<size_t>(t * rs.row_stride + c)]);
    }
  }
}

TEST_CASE("gpu swiglu forward and backward match the CPU twin", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  struct Shape {
    int64_t rows;
    int ffn;
  };
  for (const Shape& s : {Shape{1, 5}, Shape{9, 176}, Shape{64, 5504}}) {
    CAPTURE(s.rows, s.ffn);
    const size_t n = static_cast<size_t>(s.rows * s.ffn);
    const auto gu = random_bf16(2 * n, 17, 2.0f), d = random_bf16(n, 18);
    std::vector<float> out(n), dgu(2 * n);
    cpu::swiglu_forward(out.data(), gu.data(), s.rows, s.ffn);
    cpu::swiglu_backward(dgu.data(), d.data(), gu.data(), s.rows, s.ffn);
    Buffer dgu_in = to_device(*gpu, gu, DType::bf16), dd = to_device(*gpu, d, DType::bf16);
    Buffer dout = gpu->allocate(n * 2), ddgu = gpu->allocate(2 * n * 2);
    gpu->swiglu_forward(dout.tensor(DType::bf16), dgu_in.tensor(DType::bf16), s.rows, s.ffn);
    gpu->swiglu_backward(ddgu.tensor(DType::bf16), dd.tensor(DType::bf16), dgu_in.tensor(DType::bf16), s.rows, s.ffn);
    check_accuracy("swiglu forward", to_host(*gpu, dout, n, DType::bf16), round_bf16(out), out);
    check_accuracy("swiglu backward", to_host(*gpu, ddgu, 2 * n, DType::bf16), round_bf16(dgu), dgu);
  }
}

namespace {
// log p(target) and entropy as an fp32 implementation computes them (sequential sums): the
// naive same-precision reference of the token_logprobs kernels.
void naive_logprobs_fp32(std::vector<float>& logp, std::vector<float>& entropy, const std::vector<float>& logits,
                         const std::vector<int32_t>& targets, int vocab) {
  for (size_t r = 0; r < targets.size(); ++r) {
    const float* x = logits.data() + r * static_cast<size_t>(vocab);
    float m = x[0];
    for (int i = 1; i < vocab; ++i) m = std::max(m, x[i]);
    float s = 0, w = 0;
    for (int i = 0; i < vocab; ++i) {
      const float e = std::exp(x[i] - m);
      s += e;
      w += e * (x[i] - m);
    }
    logp[r] = targets[r] < 0 ? 0.0f : x[targets[r]] - (m + std::log(s));
    entropy[r] = std::log(s) - w / s;
  }
}
}  // namespace

TEST_CASE("gpu token log-probabilities and entropy and their gradient match the CPU twin", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  struct Shape {
    int64_t rows;
    int vocab;
  };
  for (const Shape& s : {Shape{1, 7}, Shape{33, 512}, Shape{5, 1001}, Shape{3, 102400}}) {
    CAPTURE(s.rows, s.vocab);
    const size_t n = static_cast<size_t>(s.rows * s.vocab);
    const auto logits = random_bf16(n, 19, 3.0f);
    Rng rng(20);
    std::vector<int32_t> targets(static_cast<size_t>(s.rows));
    for (auto& t : targets) t = static_cast<int32_t>(rng.below(static_cast<uint64_t>(s.vocab)));
    if (s.rows > 1) targets[1] = -1;  // ignored position
    std::vector<float> logp(targets.size()), entropy(targets.size()), nlogp(targets.size()), nentropy(targets.size());
    cpu::token_logprobs_forward(logp.data(), entropy.data(), logits.data(), targets.data(), s.rows, s.vocab);
    naive_logprobs_fp32(nlogp, nentropy, logits, targets, s.vocab);
    Buffer dl = to_device(*gpu, logits, DType::bf16), dt = to_device(*gpu, targets);
    Buffer dlogp = gpu->allocate(logp.size() * 4), dent = gpu->allocate(logp.size() * 4);
    gpu->token_logprobs_forward(static_cast<float*>(dlogp.data()), static_cast<float*>(dent.data()), dl.tensor(DType::bf16),
                                static_cast<const int32_t*>(dt.data()), s.rows, s.vocab);
    check_accuracy("logp", to_host(*gpu, dlogp, logp.size(), DType::f32), nlogp, logp);
    check_accuracy("entropy", to_host(*gpu, dent, logp.size(), DType::f32), nentropy, entropy);
    if (s.rows > 1) CHECK(to_host(*gpu, dlogp, logp.size(), DType::f32)[1] == 0.0f);

    auto dlogp_host = random_vector(targets.size(), 21);
    if (s.rows > 2) dlogp_host[2] = 0.0f;  // a zero weight gives a zero row
    std::vector<float> dlogits(n);
    cpu::token_logprobs_backward(dlogits.data(), logits.data(), targets.data(), dlogp_host.data(), s.rows, s.vocab);
    Buffer dg = to_device(*gpu, dlogp_host, DType::f32);
    // in place, as the model calls it
    gpu->token_logprobs_backward(dl.tensor(DType::bf16), dl.tensor(DType::bf16), static_cast<const int32_t*>(dt.data()),
                                 static_cast<const float*>(dg.data()), s.rows, s.vocab);
    const auto got = to_host(*gpu, dl, n, DType::bf16);
    check_accuracy("dlogits", got, round_bf16(dlogits), dlogits);
    // The softmax part alone (-g p at every non-target logit): each entry is about 1/vocab of
    // the target's g (1 - p), so it is judged against its own scale, not the target's.
    std::vector<float> got_rest, ref_rest;
    for (int64_t r = 0; r < s.rows; ++r)
      for (int c = 0; c < s.vocab; ++c)
        if (c != targets[static_cast<size_t>(r)]) {
          got_rest.push_back(got[static_cast<size_t>(r * s.vocab + c)]);
          ref_rest.push_back(dlogits[static_cast<size_t>(r * s.vocab + c)]);
        }
    if (!ref_rest.empty()) check_accuracy("dlogits, softmax part", got_rest, round_bf16(ref_rest), ref_rest);
  }
}

TEST_CASE("gpu AdamW matches the CPU twin and bf16 moments round stochastically as specified", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  const int64_t n = 10007;
  const auto params0 = random_vector(static_cast<size_t>(n), 22, 0.1f);
  const auto grads = random_vector(static_cast<size_t>(n), 23, 0.01f);
  auto m0 = random_vector(static_cast<size_t>(n), 24, 0.001f);
  auto v0 = random_vector(static_cast<size_t>(n), 25, 0.001f);
  for (float& x : v0) x = x * x;
  AdamWArgs a;
  a.n = n;
  a.lr = 3e-3f;
  a.weight_decay = 0.1f;
  a.grad_scale = 0.5f;
  a.step = 7;

  SECTION("f32 moments, f32 gradients, bf16 compute copy") {
    std::vector<float> p = params0, m = m0, v = v0;
    cpu::adamw_update(p.data(), grads.data(), m.data(), v.data(), n, a.lr, a.beta1, a.beta2, a.eps, a.weight_decay,
                      a.grad_scale, a.step);
    Buffer dp = to_device(*gpu, params0, DType::f32), dg = to_device(*gpu, grads, DType::f32);
    Buffer dm = to_device(*gpu, m0, DType::f32), dv = to_device(*gpu, v0, DType::f32);
    Buffer dcopy = gpu->allocate(static_cast<size_t>(n) * 2);
    a.params = dp.tensor(DType::f32);
    a.params_copy = dcopy.tensor(DType::bf16);
    a.grads = dg.tensor(DType::f32);
    a.m = dm.tensor(DType::f32);
    a.v = dv.tensor(DType::f32);
    gpu->adamw_update(a);
    const auto gp = to_host(*gpu, dp, p.size(), DType::f32);
    // the same fp32 formula; only contraction into FMAs may differ
    CHECK(relative_l2(gp, p) < 1e-6);
    CHECK(relative_l2(to_host(*gpu, dm, m.size(), DType::f32), m) < 1e-6);
    CHECK(relative_l2(to_host(*gpu, dv, v.size(), DType::f32), v) < 1e-6);
    CHECK(to_host(*gpu, dcopy, p.size(), DType::bf16) == round_bf16(gp));
  }

  SECTION("bf16 moments and bf16 gradients") {
    const auto m16 = round_bf16(m0), v16 = round_bf16(v0), g16 = round_bf16(grads);
    Buffer dp = to_device(*gpu, params0, DType::f32), dg = to_device(*gpu, g16, DType::bf16);
    Buffer dm = to_device(*gpu, m16, DType::bf16), dv = to_device(*gpu, v16, DType::bf16);
    a.params = dp.tensor(DType::f32);
    a.params_copy = Tensor();
    a.grads = dg.tensor(DType::bf16);
    a.m = dm.tensor(DType::bf16);
    a.v = dv.tensor(DType::bf16);
    gpu->adamw_update(a);
    // host emulation of the kernel: fp32 update, stochastic rounding with the same bits
    std::vector<float> p = params0, m = m16, v = v16;
    cpu::adamw_update(p.data(), g16.data(), m.data(), v.data(), n, a.lr, a.beta1, a.beta2, a.eps, a.weight_decay,
                      a.grad_scale, a.step);
    const auto gm = to_host(*gpu, dm, m.size(), DType::bf16), gv = to_host(*gpu, dv, v.size(), DType::bf16);
    int64_t same = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float em = bf16_bits_to_float(
          cuda::bf16_bits_stochastic(m[static_cast<size_t>(i)], cuda::rounding_bits(i, a.step, cuda::MomentStream::first)));
      const float ev = bf16_bits_to_float(
          cuda::bf16_bits_stochastic(v[static_cast<size_t>(i)], cuda::rounding_bits(i, a.step, cuda::MomentStream::second)));
      same += (gm[static_cast<size_t>(i)] == em) + (gv[static_cast<size_t>(i)] == ev);
      // The fp32 moment may differ from the host's in its last bits (whether a * b + c is
      // contracted into one FMA is the compiler's choice), which can move it across a rounding
      // threshold: one bf16 ulp. Where the two terms nearly cancel, those last bits are the
      // operands' (a few fp32 ulps of |beta m| + |(1 - beta) g|), not the result's.
      const float g = g16[static_cast<size_t>(i)] * a.grad_scale;
      const float m_terms = a.beta1 * std::fabs(m16[static_cast<size_t>(i)]) + (1 - a.beta1) * std::fabs(g);
      const float v_terms = a.beta2 * v16[static_cast<size_t>(i)] + (1 - a.beta2) * g * g;
      REQUIRE(std::fabs(gm[static_cast<size_t>(i)] - em) <= std::fabs(em) * 0x1p-7f + 4 * FLT_EPSILON * m_terms);
      REQUIRE(std::fabs(gv[static_cast<size_t>(i)] - ev) <= std::fabs(ev) * 0x1p-7f + 4 * FLT_EPSILON * v_terms);
    }
    CHECK(same >= 2 * n * 99 / 100);
    // the master update uses the unrounded moments
    CHECK(relative_l2(to_host(*gpu, dp, p.size(), DType::f32), p) < 1e-6);
  }
}
