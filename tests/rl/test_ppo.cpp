// PPO's pieces against their formulas (DeepSeekMath equations 1-2, ppo_loss.hpp): the KL-penalized
// rewards, GAE with its lambda = 0 and lambda = 1 limits, the clipped policy and value losses and
// their derivatives (hand-worked numbers, central differences), whitening, the value gradient
// through the model against finite differences; `dsmath ppo` end to end with an exact resume.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "backend/cpu/cpu_backend.hpp"
#include "model_gradcheck.hpp"
#include "pretrain_fixture.hpp"
#include "sft_fixture.hpp"
#include "rl/policy_update.hpp"
#include "rl/ppo_loss.hpp"
#include "tiny_model_config.hpp"

using namespace dsmath;
using namespace dsmath::rl;

TEST_CASE("equation 2's reward: the score at the last token, minus beta log(pi / pi_ref) at every token", "[ppo]") {
  const std::vector<float> logp{-1.0f, -2.0f}, ref{-1.5f, -1.0f};
  // r_0 = -0.1 (-1 + 1.5) = -0.05; r_1 = -0.1 (-2 + 1) + 1 = 1.1
  const auto r = kl_penalized_rewards(logp, ref, 1.0, 0.1);
  REQUIRE(r.size() == 2);
  CHECK(r[0] == Approx(-0.05));
  CHECK(r[1] == Approx(1.1));
  CHECK(kl_penalized_rewards(logp, logp, 0.7, 0.1) == std::vector<double>{0.0, 0.7});
}

TEST_CASE("GAE against hand-worked numbers and its lambda = 0 and lambda = 1 limits", "[ppo]") {
  const std::vector<double> r{0.1, -0.2, 1.0};
  const std::vector<float> v{0.5f, 0.2f, 0.4f};
  // gamma 0.9: delta = r_t + 0.9 V_{t+1} - V_t (V_3 = 0) = {-0.22, -0.04, 0.6}
  // lambda 0.8 (gamma lambda 0.72): A_2 = 0.6, A_1 = -0.04 + 0.72 x 0.6 = 0.392,
  // A_0 = -0.22 + 0.72 x 0.392 = 0.06224; returns A + V
  const auto g = gae(r, v, 0.9, 0.8);
  const std::vector<double> a{0.06224, 0.392, 0.6};
  for (size_t t = 0; t < 3; ++t) {
    CHECK(g.advantages[t] == Approx(a[t]).epsilon(1e-6));
    CHECK(g.returns[t] == Approx(a[t] + v[t]).epsilon(1e-6));
  }
  // lambda 0: the one-step TD error
  const auto td = gae(r, v, 0.9, 0.0);
  const std::vector<double> delta{-0.22, -0.04, 0.6};
  for (size_t t = 0; t < 3; ++t) CHECK(td.advantages[t] == Approx(delta[t]).epsilon(1e-6));
  // lambda 1: the discounted Monte-Carlo return minus V: returns {0.1 - 0.18 + 0.81, -0.2 + 0.9, 1}
  const auto mc = gae(r, v, 0.9, 1.0);
  const std::vector<double> ret{0.73, 0.7, 1.0};
  for (size_t t = 0; t < 3; ++t) {
    CHECK(mc.returns[t] == Approx(ret[t]).epsilon(1e-6));
    CHECK(mc.advantages[t] == Approx(ret[t] - v[t]).epsilon(1e-6));
  }
  // gamma 1, a reward only at the end, V = 0, lambda 0.95 (the defaults): every token gets it
  // discounted by lambda^(steps left)
  const auto d = gae(std::vector<double>{0, 0, 1}, std::vector<float>{0, 0, 0}, 1.0, 0.95);
  CHECK(d.advantages == std::vector<double>{0.95 * 0.95, 0.95, 1.0});
  CHECK(d.returns == std::vector<double>{0.95 * 0.95, 0.95, 1.0});
}

TEST_CASE("the PPO policy loss is equation 1's clipped surrogate; its derivative in log pi", "[ppo]") {
  // rho = e^0.1 = 1.1051709 inside [0.8, 1.2]: l = -rho A, d l / d log pi = -rho A
  const TokenLoss in = ppo_policy_token_loss(0.1, 0.0, 2.0, 0.2);
  CHECK(in.loss == Approx(-2.2103418));
  CHECK(in.dlogp == Approx(-2.2103418));
  CHECK(!in.clipped);
  // rho 1.3 with A > 0: clipped to 1.2, flat
  const TokenLoss hi = ppo_policy_token_loss(std::log(1.3), 0.0, 2.0, 0.2);
  CHECK(hi.loss == Approx(-2.4));
  CHECK(hi.dlogp == 0.0);
  CHECK(hi.clipped);
  // rho 0.7 with A < 0: clipped to 0.8; with A > 0 not clipped
  const TokenLoss lo = ppo_policy_token_loss(std::log(0.7), 0.0, -1.0, 0.2);
  CHECK(lo.loss == Approx(0.8));
  CHECK(lo.dlogp == 0.0);
  CHECK(ppo_policy_token_loss(std::log(0.7), 0.0, 1.0, 0.2).loss == Approx(-0.7));
  CHECK(ppo_policy_token_loss(std::log(0.7), 0.0, 1.0, 0.2).dlogp == Approx(-0.7));
  // no KL term in the loss (it is in the reward): at rho = 1 the coefficient is -A exactly
  CHECK(ppo_policy_token_loss(-0.4, -0.4, 0.3, 0.2).dlogp == Approx(-0.3));
  const double h = 1e-6;
  for (double old : {0.0, -0.15, 0.25, 0.4})
    for (double adv : {1.5, -0.5}) {
      const double fd = (ppo_policy_token_loss(0.1 + h, old, adv, 0.2).loss - ppo_policy_token_loss(0.1 - h, old, adv, 0.2).loss) / (2 * h);
      CHECK(ppo_policy_token_loss(0.1, old, adv, 0.2).dlogp == Approx(fd).margin(1e-6));
    }
}

TEST_CASE("the clipped value loss and its derivative", "[ppo]") {
  // V_old 0.5, clip 0.2 (band [0.3, 0.7]), return 1
  const ValueTokenLoss inside = ppo_value_token_loss(0.6, 0.5, 1.0, 0.2);
  CHECK(inside.loss == Approx(0.08));  // 1/2 (0.6 - 1)^2
  CHECK(inside.dvalue == Approx(-0.4));
  CHECK(!inside.clipped);
  // above the band, towards the return: the clipped square (0.7 - 1)^2 = 0.09 is larger; flat
  const ValueTokenLoss toward = ppo_value_token_loss(0.9, 0.5, 1.0, 0.2);
  CHECK(toward.loss == Approx(0.045));
  CHECK(toward.dvalue == 0.0);
  CHECK(toward.clipped);
  // below the band, away from the return: (0.1 - 1)^2 = 0.81 beats (0.3 - 1)^2 = 0.49
  const ValueTokenLoss away = ppo_value_token_loss(0.1, 0.5, 1.0, 0.2);
  CHECK(away.loss == Approx(0.405));
  CHECK(away.dvalue == Approx(-0.9));
  CHECK(!away.clipped);
  // past the return: (1.5 - 1)^2 = 0.25 beats (0.7 - 1)^2 = 0.09
  const ValueTokenLoss past = ppo_value_token_loss(1.5, 0.5, 1.0, 0.2);
  CHECK(past.loss == Approx(0.125));
  CHECK(past.dvalue == Approx(0.5));
  const double h = 1e-6;
  for (double v : {0.6, 0.9, 0.1, 1.5, 0.35, -0.2})
    for (double target : {1.0, 0.0, 0.45}) {
      const double fd = (ppo_value_token_loss(v + h, 0.5, target, 0.2).loss - ppo_value_token_loss(v - h, 0.5, target, 0.2).loss) / (2 * h);
      CHECK(ppo_value_token_loss(v, 0.5, target, 0.2).dvalue == Approx(fd).margin(1e-6));
    }
}

TEST_CASE("whitening: mean 0 and (Bessel) variance 1 over every token of the step", "[ppo]") {
  std::vector<RolloutSample> s(2);
  s[0].advantages = {1, 2};
  s[1].advantages = {3, 4};
  SingleProcessCommunicator comm;
  // mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3
  const auto [mean, var] = whiten_advantages(s, comm);
  CHECK(mean == Approx(2.5));
  CHECK(var == Approx(5.0 / 3));
  CHECK(s[0].advantages[0] == Approx(-1.5 / std::sqrt(5.0 / 3 + 1e-8)));
  CHECK(s[1].advantages[1] == Approx(1.5 / std::sqrt(5.0 / 3 + 1e-8)));
}

TEST_CASE("the value-model gradient through the transformer matches finite differences", "[ppo]") {
  CpuBackend backend(1);
  ModelConfig c = test::model_shape(29, 16, 1, 2, 1, 24);
  c.max_seq_len = 32;
  c.init_std = 0.4;
  c.head = ModelHead::scalar;
  Transformer m(c, backend);
  auto params = m.init_parameters(3);
  Rng rng(5);
  std::vector<RolloutSample> s(3);
  for (size_t i = 0; i < s.size(); ++i) {
    for (size_t k = 0; k < 2 + i; ++k) s[i].prompt.push_back(static_cast<int32_t>(rng.below(29)));
    for (size_t k = 0; k < 3 + 2 * i; ++k) s[i].completion.push_back(static_cast<int32_t>(rng.below(29)));
  }
  const std::vector<const RolloutSample*> ptrs{&s[0], &s[1], &s[2]};
  const TokenBatch b = rollout_batch(ptrs, 0);
  // V_old near the model's values (some tokens outside the clip band), returns elsewhere
  m.forward(b, false);
  for (size_t r = 0; r < s.size(); ++r)
    for (size_t j = 0; j < s[r].completion.size(); ++j) {
      const float v = m.logprobs()[r * static_cast<size_t>(b.seq) + s[r].prompt.size() - 1 + j];
      s[r].old_values.push_back(v + static_cast<float>(rng.normal() * 0.3));
      s[r].returns.push_back(v + rng.normal());
    }
  for (LossAggregation agg : {LossAggregation::sequence_mean, LossAggregation::token_mean}) {
    ValueStats stats;
    std::vector<float> dv(static_cast<size_t>(b.size()), 0.0f);
    m.set_parameters(params);
    m.zero_grads();
    m.forward(b, true);
    ppo_value_objective(ptrs, agg, 0.2, 0.1, 3, 15, 16, stats)(b, m.logprobs(), dv);
    m.backward(dv);
    const auto grads = m.get_grads();
    CHECK(stats.tokens == 15);
    CHECK(stats.clipped > 0);
    CHECK(stats.clipped < 15);
    auto loss = [&] {
      m.forward(b, false);
      std::vector<float> unused(static_cast<size_t>(b.size()));
      ValueStats s2;
      return ppo_value_objective(ptrs, agg, 0.2, 0.1, 3, 15, 16, s2)(b, m.logprobs(), unused);
    };
    CHECK(test::model_gradient_error(m, params, grads, loss, 6, 5) < 5e-3);
  }
}

TEST_CASE("the value loss weighs tokens like the policy loss: hand-worked aggregation", "[ppo]") {
  // one output of 2 tokens, one of 1; values 0, returns 1, V_old 0 (inside the band): l_v = 1/2
  RolloutSample a, b;
  a.prompt = {1};
  a.completion = {2, 3};
  b.prompt = {1};
  b.completion = {4};
  for (RolloutSample* s : {&a, &b}) {
    s->old_values.assign(s->completion.size(), 0.0f);
    s->returns.assign(s->completion.size(), 1.0);
  }
  const std::vector<const RolloutSample*> ptrs{&a, &b};
  const TokenBatch batch = rollout_batch(ptrs, 0);
  const std::vector<float> values(static_cast<size_t>(batch.size()), 0.0f);
  std::vector<float> dv(values.size(), 0.0f);
  ValueStats stats;
  // sequence_mean: vf_coef x 1/2 x (mean over a + mean over b) = 0.1 x 0.5 x (0.5 + 0.5) = 0.05
  CHECK(ppo_value_objective(ptrs, LossAggregation::sequence_mean, 0.2, 0.1, 2, 3, 8, stats)(batch, values, dv) == Approx(0.05));
  CHECK(dv[0] == Approx(0.1 * -1.0 / (2 * 2)));                               // a's first token: weight 1 / (2 x 2)
  CHECK(dv[static_cast<size_t>(batch.seq)] == Approx(0.1 * -1.0 / (2 * 1)));  // b's token: 1 / (2 x 1)
  // token_mean: 0.1 x 3 x 0.5 / 3 = 0.05 as well, but every token weighs 1/3
  CHECK(ppo_value_objective(ptrs, LossAggregation::token_mean, 0.2, 0.1, 2, 3, 8, stats)(batch, values, dv) == Approx(0.05));
  CHECK(dv[0] == Approx(0.1 * -1.0 / 3));
}

TEST_CASE("update_policy calls the value step after each policy minibatch step, in order", "[ppo]") {
  CpuBackend backend(1);
  SingleProcessCommunicator comm;
  ModelConfig c = test::model_shape(29, 16, 1, 2, 1, 24);
  c.max_seq_len = 32;
  Transformer m(c, backend);
  m.init_parameters(8);
  std::vector<RolloutSample> samples(4);
  for (size_t i = 0; i < samples.size(); ++i) {
    samples[i].prompt = {1, 2};
    samples[i].completion = {static_cast<int32_t>(3 + i), 4};
    samples[i].advantages = {0.5, -0.5};
  }
  AlgorithmConfig alg;
  alg.loss.beta = 0;
  alg.policy_epochs = 2;
  alg.minibatches = 2;
  Trainer trainer(m, comm, OptimConfig{}, TrainConfig{}, {}, 4);
  std::vector<std::pair<size_t, size_t>> calls;
  std::vector<int64_t> policy_steps;
  update_policy(trainer, comm, m, samples, alg, 1, 8, false, 0, [&](size_t begin, size_t end) {
    calls.emplace_back(begin, end);
    policy_steps.push_back(trainer.step());  // the policy has taken this minibatch's step
  });
  CHECK(calls == std::vector<std::pair<size_t, size_t>>{{0, 2}, {2, 4}, {0, 2}, {2, 4}});
  CHECK(policy_steps == std::vector<int64_t>{1, 2, 3, 4});
}

TEST_CASE("dsmath ppo refuses a process reward model", "[ppo][cli]") {
  const auto r = test::run_dsmath("config show --stage ppo --set data.train=[x.jsonl] --set 'rewards=[{kind: model, model: x, model_kind: process}]'");
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Catch::Contains("process reward model"));
}

namespace {
void write_questions(const fs::path& dir) {
  Rng rng(21);
  std::ofstream rl(dir / "rl.jsonl");
  for (int i = 0; i < 40; ++i) {
    auto [q, a] = test::arithmetic_pair(rng, test::Split::train);
    const auto end = a.find_last_of("0123456789");
    const auto begin = a.find_last_of(' ', end) + 1;
    rl << Json{{"question", q}, {"answer", a.substr(begin, end - begin + 1)}}.dump() << "\n";
  }
}
}  // namespace

TEST_CASE("dsmath ppo runs end to end and a killed run resumes to the same result", "[ppo][cli]") {
  auto dir = test::temp_dir("ppo_cli");
  const auto tok = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok);
  write_questions(dir);
  std::ofstream(dir / "ppo.yaml") << "stage: ppo\ninit: {from: " << base.string() << "}\n"
                                  << "data: {train: [" << (dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                                  << "rollout: {questions_per_step: 4, group_size: 2, sampling: {max_new_tokens: 12}}\n"
                                  << "algorithm: {policy_epochs: 2, minibatches: 2}\nvalue: {lr_peak: 1.0e-2}\n"
                                  << "optim: {lr_peak: 1.0e-3}\ntrain: {micro_batch_size: 3, max_steps: 5}\n"
                                  << "checkpoint: {every_steps: 2}\nruntime: {device: cpu, threads: 1}\n";
  const std::string cmd = "ppo -c " + (dir / "ppo.yaml").string() + " --run-dir ";
  auto full_run = test::run_dsmath(cmd + (dir / "full").string());
  INFO(full_run.output);
  REQUIRE(full_run.exit_code == 0);
  CHECK_THAT(full_run.output, Catch::Contains("ppo: 5 steps"));
  auto killed = test::run_command("DSMATH_FAULT_INJECT=kill_after_step:3 " + std::string(DSMATH_BINARY) + " " + cmd +
                                  (dir / "resumed").string());
  CHECK(killed.exit_code == 137);
  auto resumed = test::run_dsmath(cmd + (dir / "resumed").string() + " --resume");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  // policy and value model, weights and AdamW state, equal to the uninterrupted run's
  const fs::path full = dir / "full" / "checkpoints" / "step-0000005", again = dir / "resumed" / "checkpoints" / "step-0000005";
  for (const char* f : {"model.safetensors", "optimizer-rank0.safetensors", "value_model/model.safetensors",
                        "value_model/optimizer-rank0.safetensors", "value_model/trainer_state.json"})
    CHECK(read_file(full / f) == read_file(again / f));
  auto state = [](const fs::path& d) {
    Json j = Json::parse(read_file(d / "trainer_state.json"));
    j.erase("time");
    return j;
  };
  CHECK(state(full) == state(again));
  // the value model is a scalar-head model directory; it trained (it differs from the step-2 one)
  CHECK(Json::parse(read_file(full / "value_model" / "config.json"))["architectures"][0] == "LlamaForSequenceClassification");
  CHECK(read_file(full / "value_model" / "model.safetensors") !=
        read_file(dir / "full" / "checkpoints" / "step-0000004" / "value_model" / "model.safetensors"));
  auto metrics = [](const fs::path& run) {
    auto m = test::read_metrics(run);
    for (auto& line : m)
      for (const char* k : {"time", "time_generation_s", "time_scoring_s", "time_training_s", "step_time_s"}) line.erase(k);
    return m;
  };
  const auto m_full = metrics(dir / "full"), m_resumed = metrics(dir / "resumed");
  REQUIRE(m_full.size() == 5);
  REQUIRE(m_resumed.size() == 5);
  for (size_t i = 0; i < 5; ++i) CHECK(m_full[i] == m_resumed[i]);
  for (const char* key : {"reward_mean", "accuracy", "kl", "non_score_reward", "value_loss", "value_clip_fraction",
                          "returns_mean", "values_mean", "advantages_mean", "clip_fraction", "entropy", "loss"})
    CHECK(m_full.front().contains(key));
  // step 1: the policy is the reference, so the KL penalty is exactly 0; 4 optimizer steps a rollout
  CHECK(m_full.front()["kl"].get<double>() == Approx(0.0).margin(1e-6));
  CHECK(m_full.front()["optimizer_steps"].get<int>() == 4);
  CHECK(std::isfinite(m_full.back()["value_loss"].get<double>()));
}
