// The CUDA backend's host-side logic, which needs no GPU: the row-major -> column-major GEMM
// rewrite (executed here by a naive column-major GEMM and compared with the row-major
// product), the plan cache and its keys, argument checks and kernel dispatch, the datasheet
// peak table, the embedding-gradient buckets, stochastic rounding, and the fallback of a CUDA
// build on a machine without a GPU.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "backend/create.hpp"
#include "backend/cuda_bridge.hpp"
#include "core/bf16.hpp"
#include "core/error.hpp"
#include "cuda/embedding_buckets.hpp"
#include "cuda/gemm_plan.hpp"
#include "cuda/op_checks.hpp"
#include "cuda/peak_flops.hpp"
#include "cuda/stochastic_rounding.hpp"
#include "gradcheck.hpp"
#include "train/pretrain_fixture.hpp"

using namespace dsmath;
using namespace dsmath::cuda;
using Catch::Contains;

namespace {
// op(X)[i, j] of a row-major matrix with leading dimension ld
double row_major_op(const std::vector<float>& x, int64_t ld, bool trans, int64_t i, int64_t j) {
  return trans ? x[static_cast<size_t>(j * ld + i)] : x[static_cast<size_t>(i * ld + j)];
}
// element (i, j) of op(stored) for a column-major stored matrix
double col_major_op(const std::vector<float>& x, const LtOperand& o, int64_t i, int64_t j) {
  return o.transposed ? x[static_cast<size_t>(i * o.ld + j)] : x[static_cast<size_t>(j * o.ld + i)];
}
}  // namespace

TEST_CASE("the column-major cuBLASLt problem computes the row-major product", "[cuda_host]") {
  struct Case {
    int64_t m, n, k, pad;
  };
  for (const Case& c : {Case{5, 4, 3, 0}, Case{1, 7, 9, 2}, Case{17, 1, 33, 5}, Case{8, 8, 1, 1}}) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        CAPTURE(c.m, c.n, c.k, c.pad, ta, tb);
        GemmShape s{c.m, c.n, c.k, ta, tb};
        // padded leading dimensions, as views into wider buffers have
        s.lda = (ta ? c.m : c.k) + c.pad;
        s.ldb = (tb ? c.k : c.n) + c.pad;
        s.ldc = c.n + c.pad;
        const auto a = test::random_vector(static_cast<size_t>((ta ? c.k : c.m) * s.lda), 1);
        const auto b = test::random_vector(static_cast<size_t>((tb ? c.n : c.k) * s.ldb), 2);
        const LtProblem p = lt_problem(s);
        REQUIRE(p.m == c.n);
        REQUIRE(p.n == c.m);
        REQUIRE(p.k == c.k);
        // Lt's operand A is our b, its B our a; D[i, j] column-major is C[j, i] row-major
        for (int64_t i = 0; i < c.m; ++i) {
          for (int64_t j = 0; j < c.n; ++j) {
            double expected = 0, lt = 0;
            for (int64_t kk = 0; kk < c.k; ++kk) {
              expected += row_major_op(a, s.lda, ta, i, kk) * row_major_op(b, s.ldb, tb, kk, j);
              lt += col_major_op(b, p.a, j, kk) * col_major_op(a, p.b, kk, i);
            }
            REQUIRE(lt == Approx(expected).margin(1e-12));
          }
        }
        // the stored shapes are what the buffers hold
        CHECK(p.a.ld >= p.a.rows);
        CHECK(p.b.ld >= p.b.rows);
        CHECK(p.ldc == s.ldc);
      }
    }
  }
}

TEST_CASE("GEMM shapes get natural leading dimensions and impossible ones are rejected", "[cuda_host]") {
  const GemmShape r = resolved_gemm_shape({6, 4, 3, true, true});
  CHECK(r.lda == 6);  // A stored [k x m]
  CHECK(r.ldb == 3);  // B stored [n x k]
  CHECK(r.ldc == 4);
  CHECK_THROWS_WITH(resolved_gemm_shape({0, 4, 3}), Contains("empty or negative shape"));
  GemmShape narrow{6, 4, 3};
  narrow.ldc = 3;
  CHECK_THROWS_WITH(resolved_gemm_shape(narrow), Contains("smaller than the rows"));
}

TEST_CASE("GEMM plan keys separate everything the algorithm choice depends on", "[cuda_host]") {
  alignas(256) static char buf[1024];
  const GemmShape s{64, 32, 16, false, true};
  const GemmKey base = make_gemm_key(s, DType::bf16, DType::f32, buf, buf + 256, buf + 512);
  CHECK(base.alignment == 256);
  CHECK(base.lda == 16);  // resolved
  CHECK(base == make_gemm_key(s, DType::bf16, DType::f32, buf, buf + 256, buf + 512));
  CHECK(GemmKeyHash{}(base) == GemmKeyHash{}(make_gemm_key(s, DType::bf16, DType::f32, buf, buf + 256, buf + 512)));
  std::vector<GemmKey> variants{
      make_gemm_key({64, 32, 16, false, false}, DType::bf16, DType::f32, buf, buf, buf),
      make_gemm_key({64, 32, 8, false, true}, DType::bf16, DType::f32, buf, buf, buf),
      make_gemm_key(s, DType::bf16, DType::bf16, buf, buf, buf),
      make_gemm_key(s, DType::f32, DType::f32, buf, buf, buf),
      make_gemm_key(s, DType::bf16, DType::f32, buf + 16, buf, buf),
      make_gemm_key({64, 32, 16, false, true, 0, 0, 40}, DType::bf16, DType::f32, buf, buf, buf),
  };
  std::set<size_t> hashes{GemmKeyHash{}(base)};
  for (const GemmKey& k : variants) {
    CHECK_FALSE(k == base);
    hashes.insert(GemmKeyHash{}(k));
  }
  CHECK(hashes.size() == variants.size() + 1);
  CHECK(common_alignment(buf, buf + 2, buf + 256) == 2);
  CHECK(common_alignment(buf + 48, buf + 16, buf) == 16);
  CHECK(common_alignment(buf + 512, buf + 256, buf) == 256);
}

TEST_CASE("the GEMM plan cache builds each plan once and reuses it", "[cuda_host]") {
  GemmPlanCache<int> cache;
  int built = 0;
  alignas(256) static char buf[64];
  const GemmKey a = make_gemm_key({8, 8, 8}, DType::bf16, DType::bf16, buf, buf, buf);
  const GemmKey b = make_gemm_key({8, 8, 16}, DType::bf16, DType::bf16, buf, buf, buf);
  int& pa = cache.get(a, [&] { return ++built; });
  CHECK(pa == 1);
  CHECK(cache.get(a, [&] { return ++built; }) == 1);
  CHECK(&cache.get(a, [&] { return ++built; }) == &pa);
  CHECK(cache.get(b, [&] { return ++built; }) == 2);
  CHECK(built == 2);
  CHECK(cache.size() == 2);
  CHECK(cache.hits() == 2);
  CHECK(cache.misses() == 2);
}

TEST_CASE("MFU peaks come from the datasheet table with specific names first", "[cuda_host]") {
  auto peak = [](const char* name) { return datasheet_bf16_peak(name, 132, 1980000, 9, 0); };
  CHECK(peak("NVIDIA H100 80GB HBM3").flops == 989e12);
  CHECK(peak("NVIDIA H100 PCIe").flops == 756e12);
  CHECK(peak("NVIDIA H100 NVL").flops == 835e12);
  CHECK(peak("NVIDIA H200").flops == 989e12);
  CHECK(peak("NVIDIA GH200 480GB").flops == 989e12);
  CHECK(peak("NVIDIA A100-SXM4-80GB").flops == 312e12);
  CHECK(peak("NVIDIA A100 80GB PCIe").flops == 312e12);
  CHECK(peak("NVIDIA A10").flops == 125e12);
  CHECK(peak("NVIDIA L40S").flops == 362e12);
  CHECK_FALSE(peak("NVIDIA H100 80GB HBM3").estimated);
  CHECK_THAT(peak("NVIDIA H100 80GB HBM3").source, Contains("H100 SXM"));
  // not in the table: SMs x clock x the architecture's dense rate (Hopper 4096 FLOP/clock/SM)
  const GpuPeak unknown = datasheet_bf16_peak("Some Future GPU", 132, 1830000, 9, 0);
  CHECK(unknown.estimated);
  CHECK(unknown.flops == Approx(132 * 1.83e9 * 4096));
  CHECK(datasheet_bf16_peak("Some Ampere GPU", 108, 1410000, 8, 0).flops == Approx(312e12).epsilon(0.01));
}

TEST_CASE("memory bandwidth bounds come from the datasheet table, else from the memory clock and bus", "[cuda_host]") {
  // table values are TB/s x 1e12, so compared with Approx
  auto bw = [](const char* name) { return datasheet_memory_bandwidth(name, 2619000, 5120).bytes_per_s; };
  CHECK(bw("NVIDIA H100 80GB HBM3") == Approx(3.35e12));
  CHECK(bw("NVIDIA H100 PCIe") == Approx(2.0e12));
  CHECK(bw("NVIDIA H200") == Approx(4.8e12));
  CHECK(bw("NVIDIA GH200 480GB") == Approx(4.0e12));
  CHECK(bw("NVIDIA GH200 144G HBM3e") == Approx(4.9e12));
  CHECK(bw("NVIDIA A100-SXM4-80GB") == Approx(2.039e12));
  CHECK(bw("NVIDIA A100-SXM4-40GB") == Approx(1.555e12));
  CHECK_THAT(datasheet_memory_bandwidth("NVIDIA H200", 0, 0).source, Contains("H200 SXM"));
  // not in the table: double data rate x clock x bus width, which reproduces the H100's 3.35 TB/s
  const GpuBandwidth unknown = datasheet_memory_bandwidth("Some Future GPU", 2619000, 5120);
  CHECK(unknown.estimated);
  CHECK(unknown.bytes_per_s == Approx(3.35e12).epsilon(0.001));
}

TEST_CASE("embedding gradient buckets group positions by token in a fixed order", "[cuda_host]") {
  const std::vector<int32_t> tokens{5, 2, 5, 9, 2, 5};
  const EmbeddingBuckets b = bucket_tokens(tokens);
  CHECK(b.rows == std::vector<int32_t>{2, 5, 9});
  CHECK(b.offsets == std::vector<int32_t>{0, 2, 5, 6});
  CHECK(b.positions == std::vector<int32_t>{1, 4, 0, 2, 5, 3});
  CHECK(b.packed() == std::vector<int32_t>{2, 5, 9, 0, 2, 5, 6, 1, 4, 0, 2, 5, 3});
  const EmbeddingBuckets empty = bucket_tokens({});
  CHECK(empty.rows.empty());
  CHECK(empty.offsets == std::vector<int32_t>{0});
  const std::vector<int32_t> bad{1, -3};
  CHECK_THROWS_WITH(bucket_tokens(bad), Contains("negative token id -3 at position 1"));
}

TEST_CASE("op checks name the op and the operand and the fix", "[cuda_host]") {
  float x = 0;
  CHECK_NOTHROW(require_dtype("rmsnorm_forward", "in", Tensor(&x, DType::bf16), DType::bf16));
  CHECK_THROWS_WITH(require_dtype("rmsnorm_forward", "in", Tensor(&x, DType::f32), DType::bf16),
                    Contains("rmsnorm_forward: in is f32, expected bf16"));
  CHECK_THROWS_WITH(require_dtype_in("matmul", "C", Tensor(&x, DType::i32), {DType::bf16, DType::f32}),
                    Contains("matmul: C is i32, expected bf16 or f32"));
  CHECK_THROWS_WITH(require_dtype("add", "a", Tensor(nullptr, DType::bf16), DType::bf16), Contains("null pointer"));

  AttentionShape s{2, 100, 8, 2, 64, (8 + 2 * 2) * 64, 8 * 64, 0.125f};
  CHECK_NOTHROW(check_attention_shape("attention_forward", s));
  for (int hd : {16, 32, 64, 128}) CHECK(flash_attention_supports_head_dim(hd));
  for (int hd : {8, 48, 80, 96, 256}) CHECK_FALSE(flash_attention_supports_head_dim(hd));
  AttentionShape odd = s;
  odd.head_dim = 48;
  odd.qkv_stride = 12 * 48;
  odd.out_stride = 8 * 48;
  try {
    check_attention_shape("attention_forward", odd);
    FAIL("head_dim 48 accepted");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Contains("head_dim 48 has no flash-attention kernel"));
    CHECK_THAT(e.hint(), Contains("--device cpu"));
  }
  AttentionShape groups = s;
  groups.n_kv_heads = 3;
  CHECK_THROWS_WITH(check_attention_shape("attention_backward", groups), Contains("multiple of n_kv_heads 3"));
  alignas(16) uint16_t row[16] = {};
  CHECK_NOTHROW(require_vector_aligned("attention_forward", "qkv", Tensor(row, DType::bf16)));
  CHECK_THROWS_WITH(require_vector_aligned("attention_forward", "qkv", Tensor(row + 1, DType::bf16)),
                    Contains("attention_forward: qkv at") && Contains("not 16-byte aligned"));
  AttentionShape narrow = s;
  narrow.qkv_stride = 8 * 64;
  CHECK_THROWS_WITH(check_attention_shape("attention_forward", narrow), Contains("narrower"));

  KvCacheShape cache{4, 256, 2, 64};
  AttentionShape decode = s;
  decode.seq = 1;
  CHECK_NOTHROW(check_decode_shape("attention_decode", decode, cache, decode.batch));
  cache.head_dim = 32;
  CHECK_THROWS_WITH(check_decode_shape("attention_decode", decode, cache, decode.batch), Contains("the cache holds 2 heads of 32"));
  CHECK(decode_attention_supports_head_dim(80));
  CHECK_FALSE(decode_attention_supports_head_dim(260));

  CHECK_NOTHROW(check_rope_shape("rope_forward", {10, 12, 64, 12 * 64, 10000.0f}));
  CHECK_THROWS_WITH(check_rope_shape("rope_forward", {10, 12, 63, 12 * 64, 10000.0f}), Contains("must be even"));
  CHECK_THROWS_WITH(check_rope_shape("rope_forward", {10, 13, 64, 12 * 64, 10000.0f}), Contains("do not fit"));
}

TEST_CASE("stochastic rounding to bf16 is unbiased and deterministic", "[cuda_host]") {
  // exactly representable values never move
  for (float x : {1.0f, -0.75f, 0.0f, 3.140625f})
    for (uint32_t r : {0u, 1u, 0x8000u, 0xffffu}) CHECK(bf16_bits_to_float(bf16_bits_stochastic(x, r)) == x);
  // the two neighbours, with the dropped fraction as the probability of rounding away from 0:
  // averaged over all 2^16 random values the result is x exactly
  for (float x : {1.0f + 1e-3f, -2.7182818f, 3.0e-5f, 1.0e30f}) {
    const uint16_t down = static_cast<uint16_t>(std::bit_cast<uint32_t>(x) >> 16);
    double sum = 0;
    for (uint32_t r = 0; r < 65536; ++r) {
      const uint16_t got = bf16_bits_stochastic(x, r);
      REQUIRE((got == down || got == down + 1));
      sum += bf16_bits_to_float(got);
    }
    CHECK(sum / 65536 == static_cast<double>(x));
  }
  CHECK(std::isinf(bf16_bits_to_float(bf16_bits_stochastic(INFINITY, 0xffff))));
  CHECK(std::isnan(bf16_bits_to_float(bf16_bits_stochastic(NAN, 0))));
  // the random bits depend on the element, the step and the moment, and on nothing else
  CHECK(rounding_bits(7, 3, MomentStream::first) == rounding_bits(7, 3, MomentStream::first));
  std::set<uint32_t> distinct;
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t step = 1; step <= 4; ++step)
      for (auto s : {MomentStream::first, MomentStream::second}) distinct.insert(rounding_bits(i, step, s));
  CHECK(distinct.size() >= 30);
  for (int64_t i = 0; i < 1000; ++i) REQUIRE(rounding_bits(i, 1, MomentStream::first) < 65536u);
}

TEST_CASE("a CUDA build without a usable GPU falls back to the CPU for auto and refuses --device cuda", "[cuda_host][cli]") {
  REQUIRE(built_with_cuda());
  if (cuda_device_count() > 0) {
    SUCCEED("skipped: a GPU is present (this case checks the machines without one)");
    return;
  }
  CHECK_FALSE(cuda_bridge::no_device_reason().empty());
  CHECK(create_backend({"auto", 1, -1})->kind() == DeviceKind::cpu);
  try {
    create_backend({"cuda", 1, -1});
    FAIL("--device cuda without a GPU succeeded");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Contains("--device cuda: no usable GPU found"));
    CHECK_THAT(e.hint(), Contains("--device cpu"));
  }
  CHECK_THROWS_WITH(cuda_bridge::create(-1), Contains("no usable GPU"));

  // the binary: one clear line for auto, a clean error (exit 1, no crash) for cuda
  auto dir = test::temp_dir("cuda_fallback");
  auto cfg = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
  const std::string common = "pretrain --config " + cfg.string() + " --set train.max_steps=2 --set checkpoint.every_steps=0";
  auto fallback = test::run_dsmath(common + " --set runtime.device=auto --run-dir " + (dir / "auto").string());
  REQUIRE(fallback.exit_code == 0);
  const std::string line = "no GPU found";
  const size_t first = fallback.output.find(line);
  REQUIRE(first != std::string::npos);
  CHECK(fallback.output.find(line, first + 1) == std::string::npos);
  CHECK_THAT(fallback.output, Contains("running on the CPU backend") && Contains("backend: cpu"));
  auto refused = test::run_dsmath(common + " --set runtime.device=cuda --run-dir " + (dir / "cuda").string());
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Contains("dsmath: error: --device cuda: no usable GPU found") && Contains("--device cpu"));
  CHECK_THAT(refused.output, !Contains("Segmentation") && !Contains("terminate called"));
}
