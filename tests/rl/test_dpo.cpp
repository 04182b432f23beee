// DPO's loss and gradient against hand-worked numbers and finite differences through the model;
// `dsmath dpo` and `dsmath rft` end to end on the tiny arithmetic world.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <regex>
#include <set>

#include "backend/cpu/cpu_backend.hpp"
#include "model_gradcheck.hpp"
#include "pretrain_fixture.hpp"
#include "rl/dpo_loss.hpp"
#include "rl/policy_update.hpp"
#include "sft_fixture.hpp"
#include "tiny_model_config.hpp"

using namespace dsmath;
using namespace dsmath::rl;
using Catch::Contains;

TEST_CASE("the DPO pair loss and its derivatives match the formula", "[dpo]") {
  // margin = (-3 + 3.5) - (-4 + 3.8) = 0.7; z = beta margin = 0.07
  // loss = log(1 + e^-0.07) = 0.6587596; sigmoid(-0.07) = 0.4825071
  const DpoPairLoss p = dpo_pair_loss(-3.0, -4.0, -3.5, -3.8, 0.1);
  CHECK(p.margin == Approx(0.7));
  CHECK(p.loss == Approx(0.6587596));
  CHECK(p.d_chosen == Approx(-0.04825071));
  CHECK(p.d_rejected == Approx(0.04825071));
  // central differences in each sequence log-prob
  const double h = 1e-6;
  CHECK(p.d_chosen == Approx((dpo_pair_loss(-3 + h, -4, -3.5, -3.8, 0.1).loss - dpo_pair_loss(-3 - h, -4, -3.5, -3.8, 0.1).loss) /
                             (2 * h)));
  CHECK(p.d_rejected == Approx((dpo_pair_loss(-3, -4 + h, -3.5, -3.8, 0.1).loss - dpo_pair_loss(-3, -4 - h, -3.5, -3.8, 0.1).loss) /
                               (2 * h)));
  // policy = reference: z = 0, loss log 2, coefficient beta / 2
  const DpoPairLoss z = dpo_pair_loss(-2, -5, -2, -5, 0.5);
  CHECK(z.loss == Approx(std::log(2.0)));
  CHECK(z.d_chosen == Approx(-0.25));
  // far in the right direction: no overflow, the loss goes to 0
  CHECK(dpo_pair_loss(0, -2000, 0, 0, 1.0).loss == Approx(0.0).margin(1e-12));
  CHECK(std::isfinite(dpo_pair_loss(0, 2000, 0, 0, 1.0).loss));
}

TEST_CASE("the DPO gradient through the model matches finite differences of the loss", "[dpo]") {
  CpuBackend backend(1);
  ModelConfig c = test::model_shape(29, 16, 1, 2, 1, 24);
  c.max_seq_len = 32;
  c.init_std = 0.4;
  Transformer m(c, backend);
  auto params = m.init_parameters(3);
  Rng rng(5);
  // two pairs sharing a prompt each; completions of different lengths
  std::vector<RolloutSample> rows(4);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (int k = 0; k < 3; ++k) rows[r].prompt.push_back(static_cast<int32_t>(rng.below(29)));
    for (size_t k = 0; k < 3 + r; ++k) rows[r].completion.push_back(static_cast<int32_t>(rng.below(29)));
  }
  std::vector<const RolloutSample*> ptrs{&rows[0], &rows[1], &rows[2], &rows[3]};
  const TokenBatch b = rollout_batch(ptrs, 0);
  const std::vector<double> ref{-9.0, -11.0, -10.5, -12.0};
  DpoStats stats;
  std::vector<float> dlogp(static_cast<size_t>(b.size()), 0.0f);
  m.zero_grads();
  m.forward(b, true);
  dpo_objective(ref, 0.3, 2, stats)(b, m.logprobs(), dlogp);
  m.backward(dlogp);
  auto grads = m.get_grads();
  auto loss = [&] {
    m.forward(b, false);
    std::vector<float> unused(static_cast<size_t>(b.size()));
    DpoStats s2;
    return dpo_objective(ref, 0.3, 2, s2)(b, m.logprobs(), unused);
  };
  CHECK(test::model_gradient_error(m, params, grads, loss, 6, 5) < 5e-3);
  CHECK(stats.pairs == 2);
}

namespace {
void write_questions(const fs::path& dir) {
  Rng rng(21);
  std::ofstream rl(dir / "rl.jsonl");
  for (int i = 0; i < 60; ++i) {
    auto [q, a] = test::arithmetic_pair(rng, test::Split::train);
    rl << Json{{"question", q}, {"answer", a.substr(a.rfind(' ') + 1, a.size() - a.rfind(' ') - 2)}}.dump() << "\n";
  }
}

fs::path tiny_sft_model(const fs::path& dir) {
  const auto tok = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok, 64);
  test::arithmetic_sft_file(dir, 300, 2, test::Split::train);
  std::ofstream(dir / "sft.yaml") << "stage: sft\ninit: {from: " << base.string() << "}\n"
                                  << "data: {train: [" << (dir / "sft.jsonl").string() << "], seq_len: 128}\n"
                                  << "optim: {lr_peak: 3.0e-3, warmup_steps: 10}\n"
                                  << "train: {micro_batch_size: 8, global_batch_size: 16, max_steps: 60}\n"
                                  << "checkpoint: {every_steps: 0}\nruntime: {device: cpu, threads: 1}\n";
  REQUIRE(test::run_dsmath("sft -c " + (dir / "sft.yaml").string() + " --run-dir " + (dir / "sft").string()).exit_code == 0);
  return dir / "sft";
}
}  // namespace

TEST_CASE("dsmath dpo learns to prefer the SFT model's right answers; dsmath rft keeps only right ones", "[dpo][cli]") {
  auto dir = test::temp_dir("dpo_cli");
  const auto sft = tiny_sft_model(dir);
  write_questions(dir);
  std::ofstream(dir / "dpo.yaml") << "stage: dpo\ninit: {from: " << sft.string() << "}\n"
                                  << "data: {train: [" << (dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                                  << "samples: {samples_per_question: 6, sampling: {max_new_tokens: 24}}\n"
                                  << "pairs_per_question: 2\nbeta: 0.5\noptim: {lr_peak: 1.0e-3}\n"
                                  << "train: {micro_batch_size: 4, global_batch_size: 8, max_steps: 30}\n"
                                  << "checkpoint: {every_steps: 10}\nruntime: {device: cpu, threads: 1}\n";
  auto r = test::run_dsmath("dpo -c " + (dir / "dpo.yaml").string() + " --run-dir " + (dir / "dpo").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto m = test::read_metrics(dir / "dpo");
  REQUIRE(m.size() == 30);
  // step 1 starts at the reference: the margin is 0 and the loss log 2 exactly
  CHECK(m.front()["loss"].get<double>() == Approx(std::log(2.0)).epsilon(1e-4));
  CHECK(m.front()["rewards_margins"].get<double>() == Approx(0.0).margin(1e-4));
  double late_loss = 0, late_margin = 0;
  for (size_t i = 20; i < 30; ++i) {
    late_loss += m[i]["loss"].get<double>() / 10;
    late_margin += m[i]["rewards_margins"].get<double>() / 10;
  }
  WARN("DPO: loss " << m.front()["loss"].get<double>() << " -> " << late_loss << ", margin -> " << late_margin);
  CHECK(late_loss < 0.6);
  CHECK(late_margin > 0.2);
  // every pair is a right and a wrong output of one question
  std::ifstream pairs(dir / "dpo" / "pairs-rank0.jsonl");
  std::string line;
  size_t n = 0;
  while (std::getline(pairs, line)) {
    const Json p = Json::parse(line);
    CHECK(p["chosen"] != p["rejected"]);
    ++n;
  }
  CHECK(n > 0);

  // RFT: the kept outputs all carry the right answer
  std::ofstream(dir / "rft.yaml") << "stage: rft\ninit: {from: " << sft.string() << "}\n"
                                  << "data: {train: [" << (dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                                  << "samples: {samples_per_question: 4, sampling: {max_new_tokens: 24}}\nseq_len: 128\n"
                                  << "optim: {lr_peak: 1.0e-3}\ntrain: {micro_batch_size: 8, global_batch_size: 8, max_steps: 5}\n"
                                  << "checkpoint: {every_steps: 0}\nruntime: {device: cpu, threads: 1}\n";
  auto rft = test::run_dsmath("rft -c " + (dir / "rft.yaml").string() + " --run-dir " + (dir / "rft").string());
  INFO(rft.output);
  REQUIRE(rft.exit_code == 0);
  CHECK_THAT(rft.output, Contains("kept "));
  std::ifstream kept(dir / "rft" / "rft.jsonl");
  std::set<std::string> distinct;
  size_t rows = 0;
  while (std::getline(kept, line)) {
    const Json k = Json::parse(line);
    const std::string q = k["prompt"], resp = k["response"];
    // "What is a plus b?": the number the GSM8K rule grades is a + b. That rule reads the last "The
    // answer is N" when the response has it, else the last number (lm-eval's gsm8k strict and
    // flexible matches); a kept response may go on after its answer ("The answer is 11 is plus 3.")
    const auto last_match = [&resp](const std::regex& re) {
      std::string last;
      for (auto it = std::sregex_iterator(resp.begin(), resp.end(), re); it != std::sregex_iterator(); ++it) last = (*it)[1];
      return last;
    };
    std::string graded = last_match(std::regex(R"(The answer is (\d+))"));
    if (graded.empty()) graded = last_match(std::regex(R"((\d+))"));
    const int a = std::stoi(q.substr(8)), b = std::stoi(q.substr(q.find("plus") + 5));
    CHECK(graded == std::to_string(a + b));
    distinct.insert(q + "\n" + resp);
    ++rows;
  }
  CHECK(rows > 0);
  CHECK(distinct.size() == rows);  // deduplicated
  CHECK(fs::exists(dir / "rft" / "checkpoints" / "step-0000005"));
}
