// Every CPU op: forward against a naive double-precision reference written from the formula,
// backward against central finite differences of the forward.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include <omp.h>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/cpu_ops.hpp"
#include "core/rng.hpp"
#include "gradcheck.hpp"

using namespace dsmath;
using namespace dsmath::test;

namespace {
constexpr double kFdStep = 1e-2;
constexpr double kFdTolerance = 2e-3;  // fp32 forward, double accumulation of the loss
}  // namespace

TEST_CASE("embedding forward gathers rows, backward scatters repeated tokens", "[backend]") {
  const int V = 7, D = 5;
  const std::vector<int32_t> tokens{3, 1, 3, 6};
  auto table = random_vector(V * D, 1);
  std::vector<float> out(tokens.size() * D);
  cpu::embedding_forward(out.data(), tokens.data(), table.data(), 4, D);
  for (int t = 0; t < 4; ++t)
    for (int c = 0; c < D; ++c) CHECK(out[t * D + c] == table[tokens[t] * D + c]);
  auto w = random_vector(out.size(), 2);
  std::vector<float> dtable(V * D, 0.0f);
  cpu::embedding_backward(dtable.data(), tokens.data(), w.data(), 4, D);
  auto loss = [&] {
    cpu::embedding_forward(out.data(), tokens.data(), table.data(), 4, D);
    return weighted_sum(out, w);
  };
  CHECK(relative_error(pick<float>(dtable), numerical_gradient(table, loss, kFdStep)) < kFdTolerance);
  // row 3 appears twice: its gradient is the sum of both positions
  CHECK(dtable[3 * D] == Approx(w[0] + w[2 * D]));
}

TEST_CASE("rmsnorm matches its formula and finite differences", "[backend]") {
  const int R = 3, D = 11;
  const float eps = 1e-5f;
  auto x = random_vector(R * D, 3);
  auto weight = random_vector(D, 4);
  std::vector<float> y(R * D), rstd(R);
  cpu::rmsnorm_forward(y.data(), rstd.data(), x.data(), weight.data(), R, D, eps);
  for (int r = 0; r < R; ++r) {
    double ms = 0;
    for (int i = 0; i < D; ++i) ms += double(x[r * D + i]) * x[r * D + i];
    const double rs = 1.0 / std::sqrt(ms / D + eps);
    for (int i = 0; i < D; ++i) CHECK(y[r * D + i] == Approx(x[r * D + i] * rs * weight[i]).epsilon(1e-5));
  }
  auto w = random_vector(y.size(), 5);
  std::vector<float> dx(R * D, 0.0f), dweight(D, 0.0f);
  cpu::rmsnorm_backward(dx.data(), dweight.data(), w.data(), x.data(), weight.data(), rstd.data(), R, D);
  auto loss = [&] {
    cpu::rmsnorm_forward(y.data(), rstd.data(), x.data(), weight.data(), R, D, eps);
    return weighted_sum(y, w);
  };
  CHECK(relative_error(pick<float>(dx), numerical_gradient(x, loss, kFdStep)) < kFdTolerance);
  CHECK(relative_error(pick<float>(dweight), numerical_gradient(weight, loss, kFdStep)) < kFdTolerance);
  // both gradients accumulate
  std::vector<float> dx2 = dx, dw2 = dweight;
  cpu::rmsnorm_backward(dx2.data(), dw2.data(), w.data(), x.data(), weight.data(), rstd.data(), R, D);
  CHECK(dx2[4] == Approx(2 * dx[4]));
  CHECK(dw2[2] == Approx(2 * dweight[2]));
}

TEST_CASE("matmul handles every transposition and beta", "[backend]") {
  const int M = 5, N = 4, K = 3;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      auto a = random_vector(M * K, 6), b = random_vector(K * N, 7), c = random_vector(M * N, 8);
      auto c0 = c;
      cpu::matmul(c.data(), a.data(), b.data(), {M, N, K, ta, tb}, 2.0f, 0.5f);
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
          double s = 0;
          for (int k = 0; k < K; ++k) {
            const double av = ta ? a[k * M + i] : a[i * K + k];
            const double bv = tb ? b[j * K + k] : b[k * N + j];
            s += av * bv;
          }
          CHECK(c[i * N + j] == Approx(2 * s + 0.5 * c0[i * N + j]).epsilon(1e-5));
        }
    }
  }
}

TEST_CASE("matmul over several tiles, with strides, matches the naive product", "[backend]") {
  // M and N not multiples of the 128 x 128 tiles, and every operand inside a wider matrix
  // (explicit leading dimensions): each tile's offsets into A, B and C are exercised
  const int M = 300, N = 260, K = 70, pad = 3;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      INFO("trans_a " << ta << " trans_b " << tb);
      const int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
      auto a = random_vector(static_cast<size_t>((ta ? K : M) * lda), 16);
      auto b = random_vector(static_cast<size_t>((tb ? N : K) * ldb), 17);
      auto c = random_vector(static_cast<size_t>(M * ldc), 18);
      const auto c0 = c;
      cpu::matmul(c.data(), a.data(), b.data(), {M, N, K, ta, tb, lda, ldb, ldc}, 1.5f, -0.5f);
      int wrong = 0;
      for (int i = 0; i < M; ++i) {
        for (int j = 0; j < N; ++j) {
          double sum = 0;
          for (int k = 0; k < K; ++k)
            sum += double(ta ? a[k * lda + i] : a[i * lda + k]) * (tb ? b[j * ldb + k] : b[k * ldb + j]);
          const double expect = 1.5 * sum - 0.5 * c0[i * ldc + j];
          wrong += std::fabs(c[i * ldc + j] - expect) > 1e-4 * (1 + std::fabs(expect));
        }
        for (int j = N; j < ldc; ++j) wrong += c[i * ldc + j] != c0[i * ldc + j];  // padding untouched
      }
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("matmul_add writes alpha A B + C into D and leaves C and D's padding alone", "[backend]") {
  CpuBackend backend(1);
  const int64_t M = 6, N = 5, K = 4, ldc = 7;
  auto a = random_vector(M * K, 40), b = random_vector(N * K, 41), c = random_vector(M * ldc, 42);
  const auto c0 = c;
  std::vector<float> d(static_cast<size_t>(M * ldc), -9.0f);
  GemmShape s{M, N, K, false, true};
  s.ldc = ldc;
  backend.matmul_add(Tensor::f32(d.data()), Tensor::f32(a.data()), Tensor::f32(b.data()), Tensor::f32(c.data()), s, 0.5f);
  CHECK(c == c0);
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      double sum = 0;
      for (int64_t k = 0; k < K; ++k) sum += double(a[i * K + k]) * b[j * K + k];
      CHECK(d[i * ldc + j] == Approx(0.5 * sum + c0[i * ldc + j]).epsilon(1e-5));
    }
    for (int64_t j = N; j < ldc; ++j) CHECK(d[i * ldc + j] == -9.0f);
  }
}

TEST_CASE("matmul does not depend on the thread count", "[backend]") {
  // The CPU benchmark's shapes (2048 tokens, dim 256, ffn 688): there OpenBLAS's own
  // threading gives other bits with 3 threads than with 1 (about 1% of the outputs).
  struct Case {
    int64_t m, n, k;
    bool ta, tb;
  };
  const int saved = omp_get_max_threads();
  for (const Case& g : {Case{2048, 256, 256, false, true}, Case{2048, 256, 688, false, false},
                        Case{256, 688, 2048, true, false}}) {
    INFO(g.m << " x " << g.n << " x " << g.k);
    const auto a = random_vector(static_cast<size_t>(g.m * g.k), 19), b = random_vector(static_cast<size_t>(g.k * g.n), 20);
    std::vector<float> one(static_cast<size_t>(g.m * g.n), 0.25f);
    omp_set_num_threads(1);
    cpu::matmul(one.data(), a.data(), b.data(), {g.m, g.n, g.k, g.ta, g.tb}, 1.0f, 1.0f);
    for (int threads : {2, 3, 4}) {
      INFO(threads << " threads");
      omp_set_num_threads(threads);
      std::vector<float> c(one.size(), 0.25f);
      cpu::matmul(c.data(), a.data(), b.data(), {g.m, g.n, g.k, g.ta, g.tb}, 1.0f, 1.0f);
      CHECK(c == one);
    }
  }
  omp_set_num_threads(saved);
}

TEST_CASE("rope rotates pairs (i, i + d/2) by position * theta^(-2i/d) and backward inverts it", "[backend]") {
  const int T = 4, H = 3, hd = 8;
  const int64_t stride = H * hd + 5;  // rows wider than the rotated heads, like fused qkv
  auto x = random_vector(T * stride, 9);
  const std::vector<int32_t> pos{0, 1, 7, 3};
  auto original = x;
  RopeShape s{T, H, hd, stride, 10000.0f};
  cpu::rope_forward(x.data(), pos.data(), s);
  for (int t = 0; t < T; ++t) {
    for (int h = 0; h < H; ++h)
      for (int i = 0; i < hd / 2; ++i) {
        const double angle = pos[t] * std::pow(10000.0, -2.0 * i / hd);
        const double x1 = original[t * stride + h * hd + i], x2 = original[t * stride + h * hd + i + hd / 2];
        CHECK(x[t * stride + h * hd + i] == Approx(x1 * std::cos(angle) - x2 * std::sin(angle)).margin(1e-5));
        CHECK(x[t * stride + h * hd + i + hd / 2] == Approx(x2 * std::cos(angle) + x1 * std::sin(angle)).margin(1e-5));
      }
    for (int c = H * hd; c < stride; ++c) CHECK(x[t * stride + c] == original[t * stride + c]);  // untouched
  }
  // backward = transpose; gradient of w . rope(x) w.r.t. x is rope^T(w)
  auto w = random_vector(x.size(), 10);
  auto dx = w;
  cpu::rope_backward(dx.data(), pos.data(), s);
  auto x2 = original;
  auto loss = [&] {
    auto y = x2;
    cpu::rope_forward(y.data(), pos.data(), s);
    return weighted_sum(y, w);
  };
  CHECK(relative_error(pick<float>(dx), numerical_gradient(x2, loss, kFdStep)) < kFdTolerance);
}

namespace {
// Naive attention in double: explicit scores, mask, softmax.
std::vector<double> naive_attention(const std::vector<float>& qkv, const std::vector<int32_t>* seg, const AttentionShape& s) {
  std::vector<double> out(static_cast<size_t>(s.batch) * s.seq * s.out_stride, 0.0);
  const int group = s.n_heads / s.n_kv_heads;
  for (int b = 0; b < s.batch; ++b)
    for (int h = 0; h < s.n_heads; ++h)
      for (int i = 0; i < s.seq; ++i) {
        std::vector<double> p(s.seq, 0.0);
        double mx = -1e300;
        for (int j = 0; j <= i; ++j) {
          if (seg && (*seg)[b * s.seq + i] != (*seg)[b * s.seq + j]) continue;
          double d = 0;
          for (int c = 0; c < s.head_dim; ++c)
            d += double(qkv[(b * s.seq + i) * s.qkv_stride + h * s.head_dim + c]) *
                 qkv[(b * s.seq + j) * s.qkv_stride + s.n_heads * s.head_dim + (h / group) * s.head_dim + c];
          p[j] = d * s.scale;
          mx = std::max(mx, p[j]);
        }
        double z = 0;
        for (int j = 0; j <= i; ++j) {
          if (seg && (*seg)[b * s.seq + i] != (*seg)[b * s.seq + j]) { p[j] = 0; continue; }
          p[j] = std::exp(p[j] - mx);
          z += p[j];
        }
        for (int j = 0; j <= i; ++j)
          for (int c = 0; c < s.head_dim; ++c)
            out[(b * s.seq + i) * s.out_stride + h * s.head_dim + c] +=
                p[j] / z *
                qkv[(b * s.seq + j) * s.qkv_stride + (s.n_heads + s.n_kv_heads) * s.head_dim + (h / group) * s.head_dim + c];
      }
  return out;
}
}  // namespace

TEST_CASE("causal GQA attention matches a naive reference, with and without segments", "[backend]") {
  for (bool segmented : {false, true}) {
    AttentionShape s{2, 7, 4, 2, 6, 0, 0, 0};
    s.qkv_stride = (s.n_heads + 2 * s.n_kv_heads) * s.head_dim;
    s.out_stride = s.n_heads * s.head_dim;
    s.scale = 1.0f / std::sqrt(6.0f);
    auto qkv = random_vector(s.batch * s.seq * s.qkv_stride, 11);
    std::vector<int32_t> seg{0, 0, 0, 1, 1, 2, 2, 5, 5, 5, 5, 5, 6, 6};
    const int32_t* seg_ptr = segmented ? seg.data() : nullptr;
    std::vector<float> out(s.batch * s.seq * s.out_stride), lse(s.batch * s.n_heads * s.seq);
    cpu::attention_forward(out.data(), lse.data(), qkv.data(), seg_ptr, s);
    auto ref = naive_attention(qkv, segmented ? &seg : nullptr, s);
    CHECK(relative_error(pick<float>(out), ref) < 1e-5);

    auto w = random_vector(out.size(), 12);
    std::vector<float> dqkv(qkv.size(), 123.0f);  // garbage: backward must overwrite all of it
    cpu::attention_backward(dqkv.data(), w.data(), qkv.data(), out.data(), lse.data(), seg_ptr, s);
    auto loss = [&] {
      cpu::attention_forward(out.data(), lse.data(), qkv.data(), seg_ptr, s);
      return weighted_sum(out, w);
    };
    CHECK(relative_error(pick<float>(dqkv), numerical_gradient(qkv, loss, kFdStep)) < kFdTolerance);
  }
}

TEST_CASE("swiglu matches silu(gate) * up and finite differences", "[backend]") {
  const int R = 3, F = 9;
  auto gu = random_vector(R * 2 * F, 13, 2.0f);
  std::vector<float> out(R * F);
  cpu::swiglu_forward(out.data(), gu.data(), R, F);
  for (int r = 0; r < R; ++r)
    for (int i = 0; i < F; ++i) {
      const double g = gu[r * 2 * F + i], u = gu[r * 2 * F + F + i];
      CHECK(out[r * F + i] == Approx(g / (1 + std::exp(-g)) * u).epsilon(1e-5));
    }
  auto w = random_vector(out.size(), 14);
  std::vector<float> dgu(gu.size());
  cpu::swiglu_backward(dgu.data(), w.data(), gu.data(), R, F);
  auto loss = [&] {
    cpu::swiglu_forward(out.data(), gu.data(), R, F);
    return weighted_sum(out, w);
  };
  CHECK(relative_error(pick<float>(dgu), numerical_gradient(gu, loss, kFdStep)) < kFdTolerance);
}

TEST_CASE("token log-probs, entropy and their backward", "[backend]") {
  const int R = 4, V = 10;
  auto logits = random_vector(R * V, 15, 3.0f);
  const std::vector<int32_t> targets{2, -1, 9, 0};
  std::vector<float> logp(R), ent(R);
  cpu::token_logprobs_forward(logp.data(), ent.data(), logits.data(), targets.data(), R, V);
  for (int r = 0; r < R; ++r) {
    double z = 0;
    for (int i = 0; i < V; ++i) z += std::exp(double(logits[r * V + i]));
    double h = 0;
    for (int i = 0; i < V; ++i) {
      const double p = std::exp(double(logits[r * V + i])) / z;
      h -= p * std::log(p);
    }
    CHECK(ent[r] == Approx(h).epsilon(1e-5));
    if (targets[r] < 0) CHECK(logp[r] == 0.0f);
    else CHECK(logp[r] == Approx(logits[r * V + targets[r]] - std::log(z)).epsilon(1e-5));
  }
  auto dlogp = random_vector(R, 16);
  std::vector<float> dlogits(R * V);
  cpu::token_logprobs_backward(dlogits.data(), logits.data(), targets.data(), dlogp.data(), R, V);
  auto loss = [&] {
    cpu::token_logprobs_forward(logp.data(), nullptr, logits.data(), targets.data(), R, V);
    return weighted_sum(logp, dlogp);
  };
  CHECK(relative_error(pick<float>(dlogits), numerical_gradient(logits, loss, kFdStep)) < kFdTolerance);
  for (int i = 0; i < V; ++i) CHECK(dlogits[1 * V + i] == 0.0f);  // ignored row
  // in place (dlogits aliasing logits) gives the same values
  auto inplace = logits;
  cpu::token_logprobs_backward(inplace.data(), inplace.data(), targets.data(), dlogp.data(), R, V);
  CHECK(relative_error(pick<float>(inplace), pick<float>(dlogits)) == 0.0);
}

TEST_CASE("adamw matches a hand-computed step", "[backend]") {
  // one element, step 1: m = 0.1 g, v = 0.05 g^2 (b2 = 0.95); with bias correction
  // mhat = g, vhat = g^2, so p -= lr * g / (|g| + eps) after p *= (1 - lr wd).
  float p = 1.0f, g = 0.5f, m = 0, v = 0;
  cpu::adamw_update(&p, &g, &m, &v, 1, 0.1f, 0.9f, 0.95f, 1e-8f, 0.1f, 1.0f, 1);
  CHECK(m == Approx(0.05f));
  CHECK(v == Approx(0.0125f));
  CHECK(p == Approx(1.0 * (1 - 0.1 * 0.1) - 0.1 * 0.5 / (0.5 + 1e-8)).epsilon(1e-6));
  // step 2 with g = -0.25: m = 0.9*0.05 - 0.025 = 0.02, v = 0.95*0.0125 + 0.05*0.0625 = 0.015
  float g2 = -0.25f;
  const double p1 = p;
  cpu::adamw_update(&p, &g2, &m, &v, 1, 0.1f, 0.9f, 0.95f, 1e-8f, 0.1f, 1.0f, 2);
  const double mhat = 0.02 / (1 - 0.81), vhat = 0.015 / (1 - 0.9025);
  CHECK(m == Approx(0.02f));
  CHECK(v == Approx(0.015f));
  CHECK(p == Approx(p1 * (1 - 0.01) - 0.1 * mhat / (std::sqrt(vhat) + 1e-8)).epsilon(1e-6));
  // grad_scale folds clipping into the update: scale 0.5 on g = 1 equals g = 0.5
  float pa = 1, pb = 1, ga = 1.0f, gb = 0.5f, ma = 0, mb = 0, va = 0, vb = 0;
  cpu::adamw_update(&pa, &ga, &ma, &va, 1, 0.1f, 0.9f, 0.95f, 1e-8f, 0, 0.5f, 1);
  cpu::adamw_update(&pb, &gb, &mb, &vb, 1, 0.1f, 0.9f, 0.95f, 1e-8f, 0, 1.0f, 1);
  CHECK(pa == pb);
}

TEST_CASE("sum of squares is exact enough and independent of the thread count", "[backend]") {
  // Values whose sum of squares depends on the order of the additions (checked below), over
  // several of the op's fixed chunks: a reduction whose order followed the threads' split of
  // the range would give other bits for another thread count.
  std::vector<float> x(300001);
  Rng rng(11);
  for (float& v : x) v = static_cast<float>(rng.normal() * std::exp(4 * rng.uniform()));
  double forward = 0, backward = 0;
  long double exact = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    forward += double(x[i]) * x[i];
    backward += double(x[x.size() - 1 - i]) * x[x.size() - 1 - i];
    exact += static_cast<long double>(x[i]) * x[i];
  }
  REQUIRE(forward != backward);  // the data can tell one order from another
  const int64_t n = static_cast<int64_t>(x.size());
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const double one_thread = cpu::sum_squares(x.data(), n);
  CHECK(one_thread == Approx(static_cast<double>(exact)).epsilon(1e-13));
  for (int threads : {2, 3, 4, 7}) {
    INFO(threads << " threads");
    omp_set_num_threads(threads);
    CHECK(cpu::sum_squares(x.data(), n) == one_thread);
  }
  omp_set_num_threads(saved);
}
