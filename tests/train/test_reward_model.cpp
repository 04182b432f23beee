#include <catch2/catch.hpp>

#include <fstream>

#include "gradcheck.hpp"
#include "infer/model_bundle.hpp"
#include "sft_fixture.hpp"
#include "train/reward_data.hpp"
#include "train/reward_model.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
// "What is a plus b?" with a correct (label 1) or wrong (label 0) worked answer. Wrong answers
// are far off (20 or more above the sum), so a tiny model from random init can learn the cue in
// a few hundred steps: this checks the reward-model machinery, not arithmetic. Training and eval
// files draw from disjoint splits of the questions, so no eval pair was trained on.
void write_labelled(const fs::path& path, int n, uint64_t seed, test::Split split) {
  std::ofstream f(path);
  Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    const auto [a, b] = test::arithmetic_operands(rng, split);
    const bool correct = rng.below(2) == 0;
    const int shown = correct ? a + b : a + b + 20 + static_cast<int>(rng.below(60));
    f << Json{{"question", "What is " + std::to_string(a) + " plus " + std::to_string(b) + "?"},
              {"solution", std::to_string(a) + " plus " + std::to_string(b) + " is " + std::to_string(shown) + "."},
              {"label", correct ? 1 : 0}}
             .dump()
      << "\n";
  }
}
}  // namespace

TEST_CASE("BCE objective and AUC against hand computations", "[rm]") {
  TokenBatch b;
  b.resize(1, 3);
  b.targets = {1, -1, 0};
  const std::vector<float> v{2.0f, 5.0f, -1.0f};
  std::vector<float> dv(3, 0.0f);
  const double loss = binary_cross_entropy_objective(2.0)(b, v, dv);
  // (log(1 + e^-2) + log(1 + e^-1)) / 2
  CHECK(loss == Approx((std::log1p(std::exp(-2.0)) + std::log1p(std::exp(-1.0))) / 2));
  CHECK(dv[0] == Approx((1 / (1 + std::exp(-2.0)) - 1) / 2));
  CHECK(dv[1] == 0.0f);
  CHECK(dv[2] == Approx((1 / (1 + std::exp(1.0))) / 2));
  // AUC: positives {0.9, 0.4}, negatives {0.5, 0.1}: pairs won 3 of 4
  const std::vector<float> s{0.9f, 0.5f, 0.4f, 0.1f};
  const std::vector<int> y{1, 0, 1, 0};
  CHECK(roc_auc(s, y) == Approx(0.75));
  const std::vector<float> ties{0.5f, 0.5f};
  const std::vector<int> ty{1, 0};
  CHECK(roc_auc(ties, ty) == Approx(0.5));
}

TEST_CASE("process rewards are read at the last token of each step", "[rm]") {
  auto dir = test::temp_dir("rm_steps");
  const Tokenizer tok = Tokenizer::load(test::tiny_tokenizer(dir));
  const ChatFormat chat = ChatFormat::for_tokenizer(tok);
  const std::vector<std::string> steps{"3 plus 4 is 7.", "7 plus 1 is 8.", "The answer is 8."};
  const RewardInput in = encode_reward_input(chat, tok, "What is 3 plus 4 plus 1?", steps, RewardKind::process, "\n");
  REQUIRE(in.scored.size() == 3);
  // the text up to each scored token ends exactly with that step
  for (size_t k = 0; k < steps.size(); ++k) {
    std::vector<uint32_t> prefix(in.ids.begin(), in.ids.begin() + in.scored[k] + 1);
    const std::string text = tok.decode(prefix, false);
    CHECK(text.substr(text.size() - steps[k].size()) == steps[k]);
  }
  const RewardInput outcome = encode_reward_input(chat, tok, "q", {"a"}, RewardKind::outcome, "\n");
  CHECK(outcome.scored == std::vector<int32_t>{static_cast<int32_t>(outcome.ids.size()) - 1});
  CHECK(outcome.ids.back() == static_cast<int32_t>(*tok.eos_id()));
}

TEST_CASE("a tiny reward model learns to tell right answers from wrong ones", "[rm][cli]") {
  auto dir = test::temp_dir("rm_cli");
  const auto tok_dir = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok_dir);
  write_labelled(dir / "train.jsonl", 600, 1, test::Split::train);
  write_labelled(dir / "eval.jsonl", 200, 2, test::Split::heldout);
  std::ofstream(dir / "rm.yaml") << "stage: rm\ninit: {from: " << base.string() << "}\n"
                                 << "data: {train: [" << (dir / "train.jsonl").string() << "], eval: ["
                                 << (dir / "eval.jsonl").string() << "], seq_len: 96}\n"
                                 << "optim: {lr_peak: 2.0e-3, warmup_steps: 10}\n"
                                 << "train: {micro_batch_size: 8, global_batch_size: 16, max_steps: 250, log_every: 50}\n"
                                 << "checkpoint: {every_steps: 0}\nruntime: {device: cpu, threads: 1}\n";
  auto r = test::run_dsmath("rm train --config " + (dir / "rm.yaml").string() + " --run-dir " + (dir / "run").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto auc_at = r.output.find("held-out AUC ");
  REQUIRE(auc_at != std::string::npos);
  const double auc = std::stod(r.output.substr(auc_at + 13));
  WARN("tiny reward model held-out AUC: " << auc);
  CHECK(auc > 0.9);
  // scoring is deterministic and written per line
  std::ofstream(dir / "solutions.jsonl") << R"({"question": "What is 2 plus 3?", "solution": "2 plus 3 is 5."})" << "\n"
                                         << R"({"question": "What is 2 plus 3?", "solution": "2 plus 3 is 47."})" << "\n";
  const std::string score = "rm score -m " + (dir / "run").string() + " -i " + (dir / "solutions.jsonl").string() + " --threads 1 -o ";
  REQUIRE(test::run_dsmath(score + (dir / "s1.jsonl").string()).exit_code == 0);
  REQUIRE(test::run_dsmath(score + (dir / "s2.jsonl").string()).exit_code == 0);
  CHECK(read_file(dir / "s1.jsonl") == read_file(dir / "s2.jsonl"));
  std::ifstream s1(dir / "s1.jsonl");
  std::string right, wrong;
  std::getline(s1, right);
  std::getline(s1, wrong);
  CHECK(Json::parse(right)["score"].get<double>() > Json::parse(wrong)["score"].get<double>());
  // labels outside {0, 1} are errors naming the line
  std::ofstream(dir / "bad.jsonl") << R"({"question": "q", "solution": "s", "label": 1})" << "\n"
                                   << R"({"question": "q", "solution": "s", "label": 2})" << "\n";
  auto bad = test::run_dsmath("rm train --config " + (dir / "rm.yaml").string() + " --set 'data.train=[" +
                              (dir / "bad.jsonl").string() + "]' --run-dir " + (dir / "bad").string());
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.output, Contains("bad.jsonl:2") && Contains("\"label\" must be 0 or 1"));
  // a language model cannot score
  auto lm = test::run_dsmath("rm score -m " + base.string() + " -i " + (dir / "solutions.jsonl").string() + " -o " +
                             (dir / "x.jsonl").string());
  CHECK(lm.exit_code == 1);
  CHECK_THAT(lm.output, Contains("not a reward model"));
}
