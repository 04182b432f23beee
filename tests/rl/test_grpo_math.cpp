// GRPO's advantages, KL estimator and per-token loss against hand-worked numbers, and its
// gradient through the real model against finite differences.
#include <catch2/catch.hpp>

#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "model_gradcheck.hpp"
#include "rl/advantages.hpp"
#include "rl/grpo.hpp"
#include "rl/grpo_loss.hpp"
#include "train/objectives.hpp"
#include "tiny_model_config.hpp"
#include "train/trainer.hpp"

using namespace dsmath;
using namespace dsmath::rl;

TEST_CASE("outcome advantages normalize within the group", "[grpo]") {
  const std::vector<double> r{1, 0, 0, 1};
  // mean 0.5, sample std sqrt(4 * 0.25 / 3) = 0.57735
  const auto a = outcome_advantages(r, {true, 1e-4});
  CHECK(a[0] == Approx(0.5 / (0.5773503 + 1e-4)));
  CHECK(a[1] == Approx(-0.5 / (0.5773503 + 1e-4)));
  // population std 0.5 without Bessel
  CHECK(outcome_advantages(r, {false, 1e-4})[0] == Approx(0.5 / 0.5001));
  // all equal: exactly zero, no NaN
  for (double x : outcome_advantages(std::vector<double>{1, 1, 1}, {true, 1e-4})) CHECK(x == 0.0);
  for (double x : outcome_advantages(std::vector<double>{0, 0}, {true, 1e-4})) CHECK(x == 0.0);
  // a group of one has no baseline: the raw reward
  CHECK(outcome_advantages(std::vector<double>{0.7}, {true, 1e-4})[0] == 0.7);
}

TEST_CASE("process advantages sum the normalized rewards of the steps still ahead", "[grpo]") {
  // output 0: steps ending at tokens 2 and 5 (7 tokens), rewards 1 and 0; output 1: one step
  // ending at token 3 (5 tokens), reward 0.5. All step rewards {1, 0, 0.5}: mean 0.5, sample
  // std 0.5, normalized {1, -1, 0} (eps 0).
  const auto adv = process_advantages({{1.0, 0.0}, {0.5}}, {{2, 5}, {3}}, {7, 5}, {true, 0.0});
  const std::vector<double> out0{0, 0, 0, -1, -1, -1, 0};  // tokens 0-2: 1 + (-1); 3-5: -1; after the last step: 0
  const std::vector<double> out1{0, 0, 0, 0, 0};
  REQUIRE(adv.size() == 2);
  for (size_t t = 0; t < out0.size(); ++t) CHECK(adv[0][t] == Approx(out0[t]).margin(1e-12));
  for (size_t t = 0; t < out1.size(); ++t) CHECK(adv[1][t] == Approx(out1[t]).margin(1e-12));
}

TEST_CASE("k3 KL and the per-token GRPO loss match their formulas", "[grpo]") {
  // log pi = -1, log pi_ref = -2: r = e^-1, KL = r - log r - 1 = e^-1
  CHECK(k3_kl(-1.0, -2.0) == Approx(std::exp(-1.0)));
  CHECK(k3_kl(-1.5, -1.5) == 0.0);
  GrpoLossConfig c;
  c.beta = 0.04;
  // on-policy: the gradient coefficient is A + beta (pi_ref / pi - 1) (equation 21), negated
  const double logp = -0.7, ref = -0.9, a = 1.3;
  const TokenLoss t = grpo_token_loss(logp, logp, ref, a, c, true);
  CHECK(t.dlogp == Approx(-(a + c.beta * (std::exp(ref - logp) - 1))));
  CHECK(t.loss == Approx(-a + c.beta * k3_kl(logp, ref)));
  CHECK(!t.clipped);
  // the derivative is the derivative: central differences of the loss in log pi
  for (double adv : {1.3, -0.8}) {
    for (double old : {-0.7, -0.5, -1.2}) {
      const double h = 1e-6;
      const double fd = (grpo_token_loss(logp + h, old, ref, adv, c, true).loss - grpo_token_loss(logp - h, old, ref, adv, c, true).loss) / (2 * h);
      CHECK(grpo_token_loss(logp, old, ref, adv, c, true).dlogp == Approx(fd).epsilon(1e-5));
    }
  }
}

TEST_CASE("the clip engages exactly outside the trust region on the side the advantage pushes", "[grpo]") {
  GrpoLossConfig c;
  c.beta = 0;
  c.clip_low = 0.2;
  c.clip_high = 0.3;
  auto at = [&](double ratio, double adv) { return grpo_token_loss(std::log(ratio), 0.0, 0.0, adv, c, false); };
  CHECK(!at(1.29, 1.0).clipped);
  CHECK(at(1.31, 1.0).clipped);
  CHECK(at(1.31, 1.0).dlogp == 0.0);
  CHECK(!at(1.31, -1.0).clipped);  // a negative advantage pushes the ratio down: no clip above
  CHECK(at(0.79, -1.0).clipped);
  CHECK(!at(0.81, -1.0).clipped);
  CHECK(!at(0.5, 1.0).clipped);    // a positive advantage is not clipped below
  CHECK(at(0.81, -1.0).dlogp == Approx(0.81));  // -A rho
}

namespace {
ModelConfig tiny() {
  ModelConfig c = test::model_shape(29, 16, 1, 2, 1, 24);
  c.max_seq_len = 32;
  c.init_std = 0.4;
  return c;
}

std::vector<RolloutSample> make_samples(Transformer& m, uint64_t seed, bool on_policy) {
  Rng rng(seed);
  std::vector<RolloutSample> s(3);
  for (size_t i = 0; i < s.size(); ++i) {
    for (int k = 0; k < 3 + static_cast<int>(i); ++k) s[i].prompt.push_back(static_cast<int32_t>(rng.below(29)));
    for (int k = 0; k < 4 + static_cast<int>(i); ++k) s[i].completion.push_back(static_cast<int32_t>(rng.below(29)));
    s[i].advantages.assign(s[i].completion.size(), static_cast<double>(i) - 1.0 + 0.3);
  }
  // old/ref log-probs: the model's own (on-policy) or shifted
  std::vector<const RolloutSample*> ptrs{&s[0], &s[1], &s[2]};
  const TokenBatch b = rollout_batch(ptrs, 0);
  m.forward(b, false);
  for (size_t r = 0; r < s.size(); ++r) {
    const size_t base = r * static_cast<size_t>(b.seq) + s[r].prompt.size() - 1;
    for (size_t j = 0; j < s[r].completion.size(); ++j) {
      const float lp = m.logprobs()[base + j];
      s[r].old_logp.push_back(on_policy ? lp : lp + static_cast<float>(rng.normal() * 0.1));
      s[r].ref_logp.push_back(lp + static_cast<float>(rng.normal() * 0.3));
    }
  }
  return s;
}
}  // namespace

TEST_CASE("the GRPO gradient through the model matches finite differences of the loss", "[grpo]") {
  CpuBackend backend(1);
  Transformer m(tiny(), backend);
  auto params = m.init_parameters(3);
  auto samples = make_samples(m, 4, /*on_policy=*/false);
  std::vector<const RolloutSample*> ptrs{&samples[0], &samples[1], &samples[2]};
  const TokenBatch b = rollout_batch(ptrs, 0);
  GrpoLossConfig c;
  c.beta = 0.04;
  UpdateStats stats;
  const Objective obj = grpo_objective(ptrs, c, 3, 0, 16, true, false, nullptr, stats);
  std::vector<float> dlogp(static_cast<size_t>(b.size()), 0.0f);
  m.zero_grads();
  m.forward(b, true);
  obj(b, m.logprobs(), dlogp);
  m.backward(dlogp);
  auto grads = m.get_grads();
  auto loss = [&] {
    m.forward(b, false);
    std::vector<float> unused(static_cast<size_t>(b.size()));
    UpdateStats s2;
    return grpo_objective(ptrs, c, 3, 0, 16, true, false, nullptr, s2)(b, m.logprobs(), unused);
  };
  CHECK(test::model_gradient_error(m, params, grads, loss, 6, 5) < 5e-3);
}

TEST_CASE("with beta 0, G 1 and reward 1, a GRPO update is an SFT step on the sample", "[grpo]") {
  CpuBackend backend(1);
  SingleProcessCommunicator comm;
  OptimConfig optim;
  optim.lr_peak = 1e-2;
  TrainConfig train;
  auto run = [&](bool grpo) {
    Transformer m(tiny(), backend);
    m.init_parameters(6);
    auto samples = make_samples(m, 7, /*on_policy=*/true);
    samples.resize(1);
    samples[0].advantages = outcome_advantages(std::vector<double>{1.0}, {});  // G = 1: A = r = 1
    samples[0].advantages.resize(samples[0].completion.size(), samples[0].advantages[0]);
    std::vector<const RolloutSample*> ptrs{&samples[0]};
    const TokenBatch b = rollout_batch(ptrs, 0);
    // pi_old = the policy itself on exactly this batch, so rho = 1 exactly
    m.forward(b, false);
    const size_t base = samples[0].prompt.size() - 1;
    for (size_t j = 0; j < samples[0].completion.size(); ++j) samples[0].old_logp[j] = m.logprobs()[base + j];
    Trainer trainer(m, comm, optim, train, {}, 1);
    trainer.optimizer().set_steps_taken(0);
    trainer.begin_step();
    UpdateStats stats;
    GrpoLossConfig c;
    c.beta = 0;
    if (grpo)
      trainer.accumulate(b, grpo_objective(ptrs, c, 1, 0, 16, false, false, nullptr, stats));
    else
      trainer.accumulate(b, cross_entropy_objective(static_cast<double>(b.count_targets())));
    trainer.finish_step();
    return m.get_parameters();
  };
  CHECK(run(true) == run(false));
}
