// Next-token sampling on the GPU against the CPU twin (backend/cpu/sampling.cpp): on the same
// bf16 logits, with many ties as real bf16 logits have, the same tokens for every row and every
// way of sampling (greedy, temperature, top-k, top-p, both), the same log-probs to fp32
// rounding, token -1 for a row with a NaN, and the same result twice. The rule makes every sum
// an integer sum, so equality is expected, not a tolerance.
#include <catch2/catch.hpp>

#include <cmath>

#include "gpu_test_util.hpp"

using namespace dsmath;
using namespace dsmath::test;

namespace {
struct Sampled {
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;
};

Sampled sample_on(Backend& b, const std::vector<float>& logits, DType dtype, const std::vector<uint64_t>& keys, int vocab,
                  const SamplingSpec& spec) {
  const auto rows = static_cast<int64_t>(keys.size());
  Buffer dl = to_device(b, logits, dtype);
  Buffer dk = b.allocate(keys.size() * 8), dt = b.allocate(keys.size() * 4), dp = b.allocate(keys.size() * 4);
  b.upload(dk.data(), keys.data(), keys.size() * 8);
  b.sample_tokens(static_cast<int32_t*>(dt.data()), static_cast<float*>(dp.data()), Tensor{dl.data(), dtype},
                  static_cast<const uint64_t*>(dk.data()), rows, vocab, spec);
  Sampled s{std::vector<int32_t>(keys.size()), std::vector<float>(keys.size())};
  b.download(s.tokens.data(), dt.data(), keys.size() * 4);
  b.download(s.logprobs.data(), dp.data(), keys.size() * 4);
  return s;
}
}  // namespace

TEST_CASE("gpu sampling gives the CPU twin's tokens for every way of sampling", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  CpuBackend cpu(1);
  struct Shape {
    int rows, vocab;
  };
  const SamplingSpec specs[] = {{0.0, 1.0, 0}, {1.0, 1.0, 0}, {0.7, 1.0, 40}, {1.0, 0.9, 0}, {0.8, 0.95, 100},
                                {1.3, 1.0, 1}, {1.0, 0.2, 0}};
  for (const Shape shape : {Shape{37, 1000}, Shape{3, 102400}}) {
    // bf16-rounded N(0, 3^2): at vocab 102,400 the largest logits come in ties
    std::vector<float> logits = random_bf16(static_cast<size_t>(shape.rows) * shape.vocab, 7 + shape.vocab, 3.0f);
    if (shape.rows > 5) logits[static_cast<size_t>(5 * shape.vocab + 17)] = std::nanf("");
    std::vector<uint64_t> keys(static_cast<size_t>(shape.rows));
    for (size_t r = 0; r < keys.size(); ++r) keys[r] = mix64(0xabc ^ mix64(r));
    for (const SamplingSpec& spec : specs) {
      CAPTURE(shape.rows, shape.vocab, spec.temperature, spec.top_p, spec.top_k);
      const Sampled want = sample_on(cpu, logits, DType::f32, keys, shape.vocab, spec);
      const Sampled got = sample_on(*gpu, logits, DType::bf16, keys, shape.vocab, spec);
      CHECK(got.tokens == want.tokens);
      for (size_t r = 0; r < keys.size(); ++r) {
        if (want.tokens[r] < 0) {
          CHECK(std::isnan(got.logprobs[r]));
          continue;
        }
        CHECK(got.logprobs[r] == Approx(want.logprobs[r]).epsilon(1e-6).margin(1e-6));
      }
      CHECK(sample_on(*gpu, logits, DType::bf16, keys, shape.vocab, spec).tokens == got.tokens);  // deterministic
      if (shape.rows > 5) CHECK(got.tokens[5] == -1);
    }
  }
  // the draw's boundary, worked by hand (as on the CPU): two equal logits weigh 2^32 each, and a
  // target of exactly 2^32 (u = 1/2) is past token 0's running sum
  const std::vector<uint64_t> edge_keys{0, (1ull << 63) - (1ull << 11), 1ull << 63, ~0ull};
  const std::vector<float> even(8, 0.0f);
  CHECK(sample_on(*gpu, even, DType::bf16, edge_keys, 2, {1.0, 1.0, 0}).tokens == std::vector<int32_t>{0, 0, 1, 1});
  // the same inside one thread's chunk of ids (vocab 1024: two ids per thread): u = 2^-10 gives
  // target 2^32 of 2^42, the boundary between ids 0 and 1
  const std::vector<float> even_wide(2 * 1024, 0.0f);
  CHECK(sample_on(*gpu, even_wide, DType::bf16, {(1ull << 54) - (1ull << 11), 1ull << 54}, 1024, {1.0, 1.0, 0}).tokens ==
        std::vector<int32_t>{0, 1});
  // f32 logits take the same path
  const std::vector<float> small = random_bf16(4 * 300, 3, 2.0f);
  const std::vector<uint64_t> keys{1, 2, 3, 4};
  CHECK(sample_on(*gpu, small, DType::f32, keys, 300, {1.0, 0.9, 20}).tokens ==
        sample_on(cpu, small, DType::f32, keys, 300, {1.0, 0.9, 20}).tokens);
}
