// GRPO's advantages, KL estimator and per-token loss against hand-worked numbers, and its
// gradient through the real model against finite differences.
#include <catch2/catch.hpp>

#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "model_gradcheck.hpp"
#include "rl/advantages.hpp"
#include "rl/coefficients.hpp"
#include "rl/policy_update.hpp"
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

TEST_CASE("Dr. GRPO's unscaled advantages and Online RFT's coefficients", "[grpo]") {
  const std::vector<double> r{1, 0, 0, 1};
  // scale_rewards false: A = r - mean(r), no division by the std (Liu et al. 2025)
  const auto a = outcome_advantages(r, {true, 1e-4, false});
  CHECK(a == std::vector<double>{0.5, -0.5, -0.5, 0.5});
  // Online RFT (section 5.2.1): 1 for a correct output, 0 otherwise, no baseline
  CHECK(online_rft_coefficients({true, false, true}) == std::vector<double>{1, 0, 1});
  // through the per-group phase: coefficients on every token; correctness, not the reward, decides
  std::vector<SampleRewards> group(3);
  group[0].total = 0.2, group[0].correct = true;
  group[1].total = 0.9, group[1].correct = false;
  group[2].total = 0.2, group[2].correct = false;
  const auto c = group_coefficients(AdvantageKind::online_rft, group, {2, 3, 1}, {});
  CHECK(c.per_token == std::vector<std::vector<double>>{{1, 1}, {0, 0, 0}, {0}});
  // outcome: rewards {0.2, 0.9, 0.2}, mean 0.4333, sample std 0.40415; every token of an output alike
  const auto o = group_coefficients(AdvantageKind::outcome, group, {2, 3, 1}, {true, 0.0, true});
  CHECK(o.per_token[0][1] == Approx((0.2 - 1.3 / 3) / 0.4041452));
  CHECK(o.per_token[1][2] == Approx((0.9 - 1.3 / 3) / 0.4041452));
  CHECK(!o.zero_std);
  for (auto& g : group) g.total = 0.5;  // all equal (exactly, in binary)
  CHECK(group_coefficients(AdvantageKind::outcome, group, {2, 3, 1}, {}).zero_std);
}

TEST_CASE("sequence_mean, token_mean and dr_grpo weigh tokens as their formulas say", "[grpo]") {
  // two outputs of 4 and 6 tokens, on-policy (rho = 1), beta 0, A = +1 and -1: l_t = -A.
  RolloutSample s0, s1;
  s0.prompt = {1, 2};
  s0.completion = {3, 4, 5, 6};
  s0.advantages.assign(4, 1.0);
  s1.prompt = {1};
  s1.completion = {3, 4, 5, 6, 7, 8};
  s1.advantages.assign(6, -1.0);
  const std::vector<const RolloutSample*> ptrs{&s0, &s1};
  const TokenBatch b = rollout_batch(ptrs, 0);
  const std::vector<float> logp(static_cast<size_t>(b.size()), -1.0f);
  auto run = [&](LossAggregation agg, std::vector<float>& dlogp) {
    GrpoLossConfig c;
    c.beta = 0;
    c.aggregation = agg;
    UpdateStats stats;
    dlogp.assign(logp.size(), 0.0f);
    // 2 sequences, 10 tokens, max_new_tokens 8
    return grpo_objective(ptrs, c, 2, 10, 8, false, false, nullptr, stats)(b, logp, dlogp);
  };
  std::vector<float> d;
  // sequence_mean: 1/2 (mean_t(-1) + mean_t(+1)) = 0; d/dlogp = -A / (2 |o_i|)
  CHECK(run(LossAggregation::sequence_mean, d) == Approx(0.0).margin(1e-12));
  CHECK(d[1] == Approx(-1.0 / 8));                                   // s0's first target sits at |prompt| - 1 = 1
  CHECK(d[static_cast<size_t>(b.seq)] == Approx(1.0 / 12));          // s1's at 0
  // token_mean: (4 x -1 + 6 x 1) / 10 = 0.2; d = -A / 10
  CHECK(run(LossAggregation::token_mean, d) == Approx(0.2));
  CHECK(d[1] == Approx(-0.1));
  CHECK(d[static_cast<size_t>(b.seq)] == Approx(0.1));
  // dr_grpo: (4 x -1 + 6 x 1) / (2 x 8) = 0.125; d = -A / 16
  CHECK(run(LossAggregation::dr_grpo, d) == Approx(0.125));
  CHECK(d[1] == Approx(-1.0 / 16));
  CHECK(d[static_cast<size_t>(b.seq)] == Approx(1.0 / 16));
}

TEST_CASE("mu epochs of minibatch steps keep pi_old at the policy that sampled", "[grpo]") {
  CpuBackend backend(1);
  SingleProcessCommunicator comm;
  OptimConfig optim;
  optim.lr_peak = 5e-2;
  TrainConfig train;
  AlgorithmConfig alg;
  alg.loss.beta = 0;
  alg.policy_epochs = 2;
  alg.minibatches = 2;
  // the update through update_policy ...
  Transformer m(tiny(), backend);
  m.init_parameters(8);
  auto samples = make_samples(m, 9, /*on_policy=*/true);
  samples.resize(2);
  std::vector<float> before[2];
  {
    std::vector<const RolloutSample*> ptrs{&samples[0], &samples[1]};
    const TokenBatch b = rollout_batch(ptrs, 0);
    m.forward(b, false);
    for (size_t r = 0; r < 2; ++r)
      for (size_t j = 0; j < samples[r].completion.size(); ++j)
        before[r].push_back(m.logprobs()[r * static_cast<size_t>(b.seq) + samples[r].prompt.size() - 1 + j]);
  }
  Trainer trainer(m, comm, optim, train, {}, 4);
  const UpdateResult res = update_policy(trainer, comm, m, samples, alg, 1, 16, false, 0);
  CHECK(res.optimizer_steps == 4);
  // pi_old: the policy before the first of the 4 steps. Equal to rounding, not bit for bit: the
  // forward above scores both samples in one batch, update_policy one minibatch at a time, and
  // OpenBLAS's kernel for the CPU may round other GEMM shapes differently (it does on AMD EPYC);
  // one step at LR 5e-2 moves these log-probs by far more than 1e-5.
  for (size_t r = 0; r < 2; ++r) {
    REQUIRE(samples[r].old_logp.size() == before[r].size());
    for (size_t j = 0; j < before[r].size(); ++j) CHECK(samples[r].old_logp[j] == Approx(before[r][j]).margin(1e-5));
  }
  CHECK(res.stats.clipped > 0);  // LR 5e-2: by the second pass the ratio has left [0.8, 1.2] somewhere
  // ... equals the 4 steps written out: minibatch 0 = sample 0, minibatch 1 = sample 1, twice,
  // each with pi_old frozen
  Transformer m2(tiny(), backend);
  m2.init_parameters(8);
  auto manual = make_samples(m2, 9, true);
  manual.resize(2);
  for (size_t r = 0; r < 2; ++r) manual[r].old_logp = samples[r].old_logp;  // the same pi_old, bit for bit
  Trainer t2(m2, comm, optim, train, {}, 4);
  UpdateStats stats;
  for (int epoch = 0; epoch < 2; ++epoch)
    for (size_t k = 0; k < 2; ++k) {
      std::vector<const RolloutSample*> one{&manual[k]};
      t2.begin_step();
      t2.accumulate(rollout_batch(one, 0), grpo_objective(one, alg.loss, 1, static_cast<double>(manual[k].completion.size()),
                                                          16, false, false, nullptr, stats));
      t2.finish_step();
    }
  CHECK(m.get_parameters() == m2.get_parameters());
  // a rollout that does not split into the minibatches is refused
  samples.resize(1);
  Transformer m3(tiny(), backend);
  m3.init_parameters(8);
  Trainer t3(m3, comm, optim, train, {}, 4);
  CHECK_THROWS_WITH(update_policy(t3, comm, m3, samples, alg, 1, 16, false, 0), Catch::Contains("do not split into 2 minibatches"));
}
