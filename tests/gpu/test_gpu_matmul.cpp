// cuBLASLt GEMMs against the CPU twin (OpenBLAS sgemm on the same bf16-rounded inputs), every
// transposition, odd sizes, the result dtypes the model uses (bf16 activations with beta 0 or
// 1, f32 gradients accumulating with beta 1), and the plan cache.
#include <catch2/catch.hpp>

#include "backend/cpu/cpu_ops.hpp"
#include "cuda/cuda_backend.hpp"
#include "gpu_test_util.hpp"

using namespace dsmath;
using namespace dsmath::test;

namespace {
// The naive same-precision GEMM: bf16 operands, products summed in fp32 in k order, the
// result rounded to the output dtype.
std::vector<float> naive_gemm(const std::vector<float>& a, const std::vector<float>& b, const std::vector<float>& c0,
                              const GemmShape& s, float alpha, float beta, bool round_out) {
  std::vector<float> c = c0;
  for (int64_t i = 0; i < s.m; ++i)
    for (int64_t j = 0; j < s.n; ++j) {
      float acc = 0;
      for (int64_t k = 0; k < s.k; ++k) {
        const float av = s.trans_a ? a[static_cast<size_t>(k * s.m + i)] : a[static_cast<size_t>(i * s.k + k)];
        const float bv = s.trans_b ? b[static_cast<size_t>(j * s.k + k)] : b[static_cast<size_t>(k * s.n + j)];
        acc += av * bv;
      }
      float& out = c[static_cast<size_t>(i * s.n + j)];
      out = alpha * acc + beta * out;
      if (round_out) out = round_bf16(out);
    }
  return c;
}
}  // namespace

TEST_CASE("gpu matmul matches the CPU twin for every transposition and output dtype", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  struct Shape {
    int64_t m, n, k;
  };
  // {37, 1, 64} and {1, 1, 33}: the reward model's score head (a GEMM one column wide)
  for (const Shape& sh : {Shape{5, 4, 3}, Shape{1, 513, 77}, Shape{33, 7, 1000}, Shape{128, 256, 64}, Shape{200, 96, 40},
                          Shape{37, 1, 64}, Shape{1, 1, 33}}) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        const GemmShape s{sh.m, sh.n, sh.k, ta, tb};
        CAPTURE(s.m, s.n, s.k, ta, tb);
        const auto a = random_bf16(static_cast<size_t>(s.m * s.k), 30);
        const auto b = random_bf16(static_cast<size_t>(s.k * s.n), 31);
        const auto c0 = random_bf16(static_cast<size_t>(s.m * s.n), 32);
        Buffer da = to_device(*gpu, a, DType::bf16), db = to_device(*gpu, b, DType::bf16);
        struct Variant {
          DType c;
          float alpha, beta;
        };
        for (const Variant& v : {Variant{DType::bf16, 1.0f, 0.0f}, Variant{DType::bf16, 1.0f, 1.0f},
                                 Variant{DType::f32, 1.0f, 1.0f}, Variant{DType::f32, -0.5f, 0.0f}}) {
          CAPTURE(dtype_name(v.c), v.alpha, v.beta);
          std::vector<float> ref = c0;
          cpu::matmul(ref.data(), a.data(), b.data(), s, v.alpha, v.beta);
          Buffer dc = to_device(*gpu, c0, v.c);
          gpu->matmul(dc.tensor(v.c), da.tensor(DType::bf16), db.tensor(DType::bf16), s, v.alpha, v.beta);
          const auto got = to_host(*gpu, dc, ref.size(), v.c);
          const auto naive = naive_gemm(a, b, c0, s, v.alpha, v.beta, v.c == DType::bf16);
          // f32 results differ from the twin only by summation order: floor for fp32 noise
          check_accuracy("matmul", got, naive, ref, v.c == DType::f32 ? 1e-5 : 1e-6);
          if (v.beta == 1.0f) {
            // the same into another D, C read and left as it was
            Buffer dsrc = to_device(*gpu, c0, v.c), dd = gpu->allocate(c0.size() * dtype_size(v.c));
            gpu->matmul_add(dd.tensor(v.c), da.tensor(DType::bf16), db.tensor(DType::bf16), dsrc.tensor(v.c), s, v.alpha);
            CHECK(to_host(*gpu, dd, ref.size(), v.c) == got);
            CHECK(to_host(*gpu, dsrc, ref.size(), v.c) == c0);  // c0 is bf16-exact in either dtype
          }
        }
      }
    }
  }
}

TEST_CASE("gpu matmul in f32 with padded leading dimensions and the plan cache", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  auto* cuda = dynamic_cast<cuda::CudaBackend*>(gpu.get());
  REQUIRE(cuda != nullptr);
  // a column block of a wider matrix, as the output head's chunks are
  GemmShape s{40, 24, 56, false, true};
  s.lda = 64;
  s.ldb = 60;
  s.ldc = 32;
  const auto a = random_vector(static_cast<size_t>(s.m * s.lda), 33);
  const auto b = random_vector(static_cast<size_t>(s.n * s.ldb), 34);
  const auto c0 = random_vector(static_cast<size_t>(s.m * s.ldc), 35);
  std::vector<float> ref = c0;
  cpu::matmul(ref.data(), a.data(), b.data(), s, 1.5f, 0.25f);
  Buffer da = to_device(*gpu, a, DType::f32), db = to_device(*gpu, b, DType::f32), dc = to_device(*gpu, c0, DType::f32);
  const size_t plans_before = cuda->gemm().plans();
  gpu->matmul(dc.tensor(DType::f32), da.tensor(DType::f32), db.tensor(DType::f32), s, 1.5f, 0.25f);
  auto got = to_host(*gpu, dc, ref.size(), DType::f32);
  CHECK(relative_l2(got, ref) < 1e-5);
  // the padding columns of C are untouched
  for (int64_t i = 0; i < s.m; ++i)
    for (int64_t j = s.n; j < s.ldc; ++j) REQUIRE(got[static_cast<size_t>(i * s.ldc + j)] == c0[static_cast<size_t>(i * s.ldc + j)]);
  const int64_t hits_before = cuda->gemm().plan_hits();
  gpu->matmul(dc.tensor(DType::f32), da.tensor(DType::f32), db.tensor(DType::f32), s, 1.5f, 0.25f);
  CHECK(cuda->gemm().plans() == plans_before + 1);
  CHECK(cuda->gemm().plan_hits() == hits_before + 1);
  // mixed operand dtypes are refused with the op named
  Buffer dh = to_device(*gpu, a, DType::bf16);
  CHECK_THROWS_WITH(gpu->matmul(dc.tensor(DType::f32), dh.tensor(DType::bf16), db.tensor(DType::f32), s, 1.0f, 0.0f),
                    Catch::Contains("matmul"));
}
