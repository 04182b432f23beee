// The CPU twin of Backend::sample_tokens against the rule of backend/sampling_rule.hpp, worked
// by hand: greedy and its log-prob, top-k and top-p with ties at the boundary, the draw's target
// on both sides of a boundary, temperature, frequencies against softmax, NaN rows, and rows that
// do not depend on each other.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

#include "backend/cpu/cpu_ops.hpp"
#include "backend/sampling_rule.hpp"
#include "core/rng.hpp"

using namespace dsmath;

namespace {
struct Draw {
  int32_t token;
  float logprob;
};
Draw draw(const std::vector<float>& logits, uint64_t key, const SamplingSpec& spec) {
  int32_t token = -2;
  float logprob = 0;
  cpu::sample_tokens(&token, &logprob, logits.data(), &key, 1, static_cast<int>(logits.size()), spec);
  return {token, logprob};
}
double log_sum_exp(const std::vector<float>& logits, double inv_t) {
  double z = 0;
  for (float x : logits) z += std::exp(double(x) * inv_t);
  return std::log(z);
}
// token frequencies over n draw keys (counter-based: key i of a fixed stream)
std::map<int, double> frequencies(const std::vector<float>& logits, const SamplingSpec& spec, int n) {
  std::map<int, double> f;
  for (int i = 0; i < n; ++i) f[draw(logits, mix64(0x5eed ^ mix64(static_cast<uint64_t>(i))), spec).token] += 1.0 / n;
  return f;
}
}  // namespace

TEST_CASE("sampling: greedy takes the lowest id among the largest logits and reports log softmax at T = 1",
          "[backend][sampling]") {
  const std::vector<float> logits{1.0f, 3.0f, -2.0f, 3.0f, 0.5f};
  const Draw d = draw(logits, 12345, {});
  CHECK(d.token == 1);
  CHECK(d.logprob == Approx(3.0 - log_sum_exp(logits, 1.0)).margin(1e-6));
  // top-k 1 at any temperature is greedy too, but for ties: both largest logits stay
  const std::vector<float> single{1.0f, 3.0f, -2.0f, 2.5f, 0.5f};
  for (uint64_t key : {0ull, 1ull << 63, ~0ull}) CHECK(draw(single, key, {5.0, 1.0, 1}).token == 1);
  CHECK(draw(logits, 0, {5.0, 1.0, 1}).token == 1);
  CHECK(draw(logits, ~0ull, {5.0, 1.0, 1}).token == 3);
}

TEST_CASE("sampling: the draw's target falls on the id-ordered running sum of integer weights", "[backend][sampling]") {
  // two equal logits weigh 2^32 each: u < 1/2 picks token 0, u >= 1/2 token 1
  const std::vector<float> even{0.0f, 0.0f};
  const SamplingSpec t1{1.0, 1.0, 0};
  CHECK(draw(even, 0, t1).token == 0);
  CHECK(draw(even, (1ull << 63) - (1ull << 11), t1).token == 0);  // u = 1/2 - 2^-53
  CHECK(draw(even, 1ull << 63, t1).token == 1);                   // u = 1/2: target 2^32, not below token 0's sum
  CHECK(draw(even, ~0ull, t1).token == 1);
  // weights floor(exp(x - max) 2^32): ln(1/4) (as a float, 1e-7 off) weighs 2^30 within 2^30 1e-6
  CHECK(std::llabs(static_cast<long long>(sampling::weight(std::log(0.25f), 0.0f, 1.0)) - (1ll << 30)) < 1100);
  CHECK(sampling::weight(-30.0f, 0.0f, 1.0) == 0);  // exp(-30) < 2^-32: never drawn
  CHECK(sampling::weight(7.0f, 7.0f, 0.3) == (1ull << 32));
}

TEST_CASE("sampling: top-k keeps every token tied with the k-th largest logit", "[backend][sampling]") {
  const std::vector<float> logits{2.0f, 1.0f, 1.0f, 0.0f, -1.0f};
  const auto f = frequencies(logits, {1.0, 1.0, 2}, 20000);
  CHECK(f.size() == 3);  // tokens 0, 1 and 2: token 2 ties the 2nd largest
  const double z = std::exp(2.0) + 2 * std::exp(1.0);
  CHECK(f.at(0) == Approx(std::exp(2.0) / z).margin(0.015));
  CHECK(f.at(1) == Approx(std::exp(1.0) / z).margin(0.015));
  CHECK(f.at(2) == Approx(std::exp(1.0) / z).margin(0.015));
}

TEST_CASE("sampling: top-p keeps the largest logits up to top_p of the mass, ties at the boundary included",
          "[backend][sampling]") {
  // probabilities .45, .2, .2, .1, .05: top-p 0.6 passes .45, then reaches .6 inside the tie
  // at .2, so both .2s stay; renormalized .45/.85, .2/.85, .2/.85
  const std::vector<float> logits{std::log(0.45f), std::log(0.2f), std::log(0.1f), std::log(0.2f), std::log(0.05f)};
  const auto f = frequencies(logits, {1.0, 0.6, 0}, 20000);
  CHECK(f.size() == 3);
  CHECK(f.count(2) == 0);
  CHECK(f.count(4) == 0);
  CHECK(f.at(0) == Approx(0.45 / 0.85).margin(0.015));
  CHECK(f.at(1) == Approx(0.2 / 0.85).margin(0.015));
  CHECK(f.at(3) == Approx(0.2 / 0.85).margin(0.015));
  // top-p 0.4: .45 alone reaches it
  CHECK(frequencies(logits, {1.0, 0.4, 0}, 200).size() == 1);
  // top-k 2 keeps tokens 0, 1 and 3 (mass .85); top-p 0.5 of that needs .425, which .45 alone reaches
  CHECK(frequencies(logits, {1.0, 0.5, 2}, 200).size() == 1);
}

TEST_CASE("sampling: frequencies follow softmax(logits / T) and the log-prob is of that distribution before the cuts",
          "[backend][sampling]") {
  const std::vector<float> logits{2.0f, 1.0f, 0.0f, -1.0f, 1.0f};
  for (double t : {1.0, 0.5, 2.0}) {
    CAPTURE(t);
    auto f = frequencies(logits, {t, 1.0, 0}, 20000);
    double z = 0;
    for (float x : logits) z += std::exp(double(x) / t);
    for (int i = 0; i < 5; ++i) CHECK(f[i] == Approx(std::exp(double(logits[i]) / t) / z).margin(0.015));
    const Draw d = draw(logits, 99, {t, 0.3, 0});  // a cut changes which tokens, not what log-prob they carry
    CHECK(d.logprob == Approx(double(logits[d.token]) / t - log_sum_exp(logits, 1.0 / t)).margin(1e-6));
  }
}

TEST_CASE("sampling: a row with a NaN logit is token -1; rows do not depend on each other", "[backend][sampling]") {
  const int vocab = 6;
  std::vector<float> logits(3 * vocab);
  for (int i = 0; i < 3 * vocab; ++i) logits[static_cast<size_t>(i)] = std::sin(0.7f * i) * 3;
  logits[vocab + 2] = std::nanf("");
  const std::vector<uint64_t> keys{11, 22, 33};
  std::vector<int32_t> tokens(3);
  std::vector<float> logprobs(3);
  cpu::sample_tokens(tokens.data(), logprobs.data(), logits.data(), keys.data(), 3, vocab, {1.0, 0.9, 4});
  CHECK(tokens[1] == -1);
  CHECK(std::isnan(logprobs[1]));
  for (int r : {0, 2}) {
    const std::vector<float> row(logits.begin() + r * vocab, logits.begin() + (r + 1) * vocab);
    const Draw alone = draw(row, keys[static_cast<size_t>(r)], {1.0, 0.9, 4});
    CHECK(tokens[static_cast<size_t>(r)] == alone.token);
    CHECK(logprobs[static_cast<size_t>(r)] == alone.logprob);
  }
}
