#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>

#include "config/load.hpp"
#include "model_gradcheck.hpp"
#include "run_comparison.hpp"
#include "sft_fixture.hpp"
#include "tokenizer/chat_template.hpp"
#include "train/objectives.hpp"
#include "train/sft.hpp"
#include "train/packed_dataset.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
std::vector<PackedExample> examples_of_lengths(const std::vector<int>& lengths) {
  std::vector<PackedExample> out;
  int32_t next = 1;
  for (int len : lengths) {
    PackedExample e;
    for (int k = 0; k < len; ++k) e.ids.push_back(next++);
    for (int k = 0; k < len; ++k) e.targets.push_back(k + 1 < len && k + 1 >= len / 2 ? e.ids[k + 1] : -1);  // 2nd half: response
    out.push_back(std::move(e));
  }
  return out;
}
}  // namespace

TEST_CASE("packing places every token of every example exactly once, targets on responses only", "[sft]") {
  const std::vector<int> lengths{5, 9, 3, 16, 7, 2, 11, 4, 8, 6};
  auto examples = examples_of_lengths(lengths);
  PackedDataset data(examples, 16, /*document_masked=*/true, /*pad=*/0, /*seed=*/3);
  const size_t rows = data.rows_per_epoch();
  TokenBatch b;
  data.fill(b, 0, static_cast<int>(rows));
  // rebuild the examples from the rows by segment
  std::map<int32_t, std::vector<int32_t>> by_first_id;
  int counted_targets = 0;
  for (size_t r = 0; r < rows; ++r) {
    std::vector<int32_t> current;
    int32_t seg = -1;
    for (int t = 0; t < 16; ++t) {
      const size_t i = r * 16 + t;
      if (b.tokens[i] == 0) {  // padding carries no target
        CHECK(b.targets[i] == -1);
        continue;
      }
      if (b.segments[i] != seg) {
        if (!current.empty()) by_first_id[current[0]] = current;
        current.clear();
        seg = b.segments[i];
        CHECK(b.positions[i] == 0);  // positions restart in each example
      }
      current.push_back(b.tokens[i]);
      counted_targets += b.targets[i] >= 0;
    }
    if (!current.empty()) by_first_id[current[0]] = current;
  }
  REQUIRE(by_first_id.size() == examples.size());
  int expected_targets = 0;
  for (const auto& e : examples) {
    CHECK(by_first_id[e.ids[0]] == e.ids);
    for (int32_t t : e.targets) expected_targets += t >= 0;
  }
  CHECK(counted_targets == expected_targets);
  // a new epoch packs a new order; the state restores the stream exactly
  CHECK(data.pack_epoch(1) != data.pack_epoch(0));
  Json saved = data.state();
  TokenBatch next1, next2;
  data.fill(next1, static_cast<int64_t>(rows), 3);
  PackedDataset again(examples, 16, true, 0, 3);
  again.restore(saved);
  again.fill(next2, static_cast<int64_t>(rows), 3);
  CHECK(next1.tokens == next2.tokens);
}

TEST_CASE("the SFT loss counts response tokens only, and its gradient matches finite differences", "[sft]") {
  auto dir = test::temp_dir("sft_grad");
  const auto tok_dir = test::tiny_tokenizer(dir);
  const Tokenizer tok = Tokenizer::load(tok_dir);
  SftDataConfig cfg;
  cfg.train = std::vector<std::string>{test::arithmetic_sft_file(dir, 6).string()};
  cfg.seq_len = 64;
  SftLoadStats stats;
  auto examples = load_sft_examples(cfg, tok, stats);
  REQUIRE(stats.examples == 6);
  PackedDataset data(examples, cfg.seq_len, true, 0, 1);
  TokenBatch b;
  data.fill(b, 0, 2);
  // prompt tokens are never targets: the mask is 0 over the generation prompt
  // ("<bos>User: q\n\nAssistant:") and 1 over the response after it
  const ChatFormat chat = ChatFormat::for_tokenizer(tok);
  Rng pairs(2);
  for (const auto& e : examples) {
    auto [q, a] = test::arithmetic_pair(pairs);
    const std::vector<ChatMessage> prompt_only{{"user", q}};
    const auto prompt = chat.encode(tok, prompt_only, /*add_generation_prompt=*/true).ids;
    REQUIRE(prompt.size() < e.ids.size());
    CHECK(std::equal(prompt.begin(), prompt.end(), e.ids.begin()));
    // the target of position k is the next token exactly when that token is past the prompt
    for (size_t k = 0; k + 1 < e.ids.size(); ++k) CHECK(e.targets[k] == (k + 1 >= prompt.size() ? e.ids[k + 1] : -1));
  }
  CHECK(b.count_targets() > 0);

  CpuBackend backend(1);
  ModelConfig mc;
  mc.vocab_size = static_cast<int>(tok.vocab_size());
  mc.dim = 16;
  mc.n_layers = 1;
  mc.n_heads = 2;
  mc.n_kv_heads = 2;
  mc.ffn_dim = 24;
  mc.max_seq_len = 64;
  mc.init_std = 0.3;
  Transformer m(mc, backend);
  auto params = m.init_parameters(5);
  const double n_targets = static_cast<double>(b.count_targets());
  const Objective ce = cross_entropy_objective(n_targets);
  std::vector<float> dlogp(static_cast<size_t>(b.size()));
  m.zero_grads();
  m.forward(b, true);
  const double loss = ce(b, m.logprobs(), dlogp);
  // independent reference: all positions scored, then only response targets averaged
  TokenBatch all = b;
  for (size_t i = 0; i + 1 < all.tokens.size(); ++i)
    if (all.targets[i] < 0 && all.tokens[i] != 0) all.targets[i] = 1;  // score some target everywhere
  m.forward(all, false);
  double ref = 0;
  for (size_t i = 0; i < b.targets.size(); ++i)
    if (b.targets[i] >= 0) ref -= m.logprobs()[i];
  CHECK(loss == Approx(ref / n_targets).epsilon(1e-6));
  m.forward(b, true);
  m.backward(dlogp);
  auto grads = m.get_grads();
  auto loss_fn = [&] {
    m.forward(b, false);
    std::vector<float> unused(static_cast<size_t>(b.size()));
    return ce(b, m.logprobs(), unused);
  };
  CHECK(test::model_gradient_error(m, params, grads, loss_fn, 5, 9) < 5e-3);
}

TEST_CASE("bad SFT records are errors with file:line, or skipped and counted", "[sft]") {
  auto dir = test::temp_dir("sft_bad");
  const Tokenizer tok = Tokenizer::load(test::tiny_tokenizer(dir));
  auto load = [&](const std::string& line, bool skip) {
    std::ofstream(dir / "bad.jsonl") << R"({"prompt": "What is 1 plus 1?", "response": "It is 2."})" << "\n" << line << "\n";
    SftDataConfig cfg;
    cfg.train = std::vector<std::string>{(dir / "bad.jsonl").string()};
    cfg.seq_len = 64;
    cfg.skip_invalid = skip;
    SftLoadStats stats;
    load_sft_examples(cfg, tok, stats);
    return stats;
  };
  CHECK_THROWS_WITH(load(R"({"messages": [{"role": "wizard", "content": "hi"}]})", false),
                    Contains("bad.jsonl:2") && Contains("unknown role 'wizard'"));
  CHECK_THROWS_WITH(load(R"({"prompt": "q", "response": "  "})", false), Contains("bad.jsonl:2") && Contains("empty"));
  CHECK_THROWS_WITH(load(R"({"messages": [{"role": "user", "content": "q"}]})", false), Contains("no assistant message"));
  CHECK_THROWS_WITH(load(R"({"question": "q"})", false), Contains("expected {\"messages\""));
  CHECK_THROWS_WITH(load("{not json", false), Contains("bad.jsonl:2") && Contains("malformed JSON"));
  CHECK(load("{not json", true).skipped_invalid == 1);
  // too long: truncated (counted) or dropped (counted)
  std::string long_response(400, 'x');
  std::ofstream(dir / "long.jsonl") << Json{{"prompt", "q"}, {"response", long_response}}.dump() << "\n"
                                     << Json{{"prompt", "What?"}, {"response", "It is 2."}}.dump() << "\n";
  SftDataConfig cfg;
  cfg.train = std::vector<std::string>{(dir / "long.jsonl").string()};
  cfg.seq_len = 32;
  SftLoadStats truncated;
  CHECK(load_sft_examples(cfg, tok, truncated).size() == 2);
  CHECK(truncated.truncated == 1);
  cfg.too_long = TooLongPolicy::drop;
  SftLoadStats dropped;
  CHECK(load_sft_examples(cfg, tok, dropped).size() == 1);
  CHECK(dropped.dropped_too_long == 1);
}

TEST_CASE("dsmath sft learns the responses and resumes exactly", "[sft][cli]") {
  auto dir = test::temp_dir("sft_cli");
  const auto tok_dir = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok_dir);
  const auto data = test::arithmetic_sft_file(dir, 200);
  std::ofstream(dir / "sft.yaml") << "stage: sft\ninit: {from: " << base.string() << "}\n"
                                  << "data: {train: [" << data.string() << "], seq_len: 96}\n"
                                  << "optim: {lr_peak: 3.0e-3, warmup_steps: 5}\n"
                                  << "train: {micro_batch_size: 4, global_batch_size: 8, max_steps: 60, log_every: 20}\n"
                                  << "checkpoint: {every_steps: 20}\nruntime: {device: cpu, threads: 1}\n";
  const std::string cmd = "sft --config " + (dir / "sft.yaml").string();
  auto full = test::run_dsmath(cmd + " --run-dir " + (dir / "full").string());
  INFO(full.output);
  REQUIRE(full.exit_code == 0);
  CHECK_THAT(full.output, Contains("sft: 60 steps"));
  std::ifstream metrics(dir / "full" / "metrics.jsonl");
  std::vector<double> losses;
  std::string line;
  while (std::getline(metrics, line)) losses.push_back(Json::parse(line)["loss"].get<double>());
  REQUIRE(losses.size() == 60);
  CHECK(losses.back() < 0.5 * losses.front());
  // the checkpoint is a complete HF model directory with the tokenizer
  CHECK(std::filesystem::exists(dir / "full" / "checkpoints" / "step-0000060" / "tokenizer.json"));
  // killed after step 30, resumed from step 20: the same metrics, weights, optimizer state and
  // data cursor as the run that was not interrupted
  auto killed = test::run_command("DSMATH_FAULT_INJECT=kill_after_step:30 " + std::string(DSMATH_BINARY) + " " + cmd +
                                  " --run-dir " + (dir / "resumed").string());
  CHECK(killed.exit_code == 137);
  auto resumed = test::run_dsmath(cmd + " --resume --run-dir " + (dir / "resumed").string());
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Contains("step-0000020"));
  test::check_identical_runs(dir / "full", dir / "resumed", 60);
  // a tokenizer/model mismatch is refused
  std::ofstream(dir / "bad.yaml") << "stage: sft\ninit: {from: " << base.string() << "}\n"
                                  << "tokenizer: " << (test::source_dir() / "tests" / "tokenizer").string() << "/nonexistent.json\n"
                                  << "data: {train: [" << data.string() << "]}\n";
  auto bad = test::run_dsmath("sft --config " + (dir / "bad.yaml").string() + " --run-dir " + (dir / "bad").string());
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.output, Contains("nonexistent.json"));
}
