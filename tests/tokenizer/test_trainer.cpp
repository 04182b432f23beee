// The BPE trainer: hand-worked merges and tie-breaking, determinism across thread counts, and
// trained tokenizers that load back, round-trip, and encode identically in `tokenizers`.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/rng.hpp"
#include "core/files.hpp"
#include "core/json.hpp"
#include "reference.hpp"
#include "test_util.hpp"
#include "tokenizer/bpe_trainer.hpp"
#include "tokenizer_test_util.hpp"

using namespace dsmath;

namespace {

// Merges of a trained tokenizer as "left right" vocab strings.
std::vector<std::string> merges_of(const Tokenizer& tok) {
  std::vector<std::string> out;
  for (auto [l, r] : tok.model().merge_pairs()) out.push_back(tok.model().vocab()[l] + " " + tok.model().vocab()[r]);
  return out;
}

Tokenizer train(const std::vector<std::string>& texts, BpeTrainerOptions options) {
  BpeTrainer trainer(options);
  trainer.add_texts(texts);
  const auto result = trainer.train();
  return Tokenizer::from_json_text(result.tokenizer_json, "trained", Json::parse(result.tokenizer_config_json));
}

std::vector<std::string> corpus_texts(size_t max_texts) {
  std::vector<std::string> texts;
  if (auto data = test::shared_data_dir()) {
    std::ifstream in(*data / "gsm8k" / "train.jsonl");
    std::string line;
    while (texts.size() < max_texts && std::getline(in, line)) {
      const auto j = Json::parse(line);
      texts.push_back(j["question"].get<std::string>() + "\n" + j["answer"].get<std::string>());
    }
  } else {
    // Without the shared data: word-problem-like sentences over a vocabulary of made-up words
    // (syllable triples), varied enough that a 1024-token vocabulary fills up.
    const char* syllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qu", "do", "fe", "gi", "ho",
                               "ja", "lu", "mo", "ni", "po", "ra", "se", "tu", "wa", "yo", "bi", "ce", "du", "ge", "hi"};
    Rng rng(17);
    auto word = [&] {
      std::string w;
      for (int k = 0; k < 2 + static_cast<int>(rng.below(2)); ++k) w += syllables[rng.below(30)];
      return w;
    };
    for (size_t i = 0; i < max_texts; ++i) {
      std::string t = "Natalia sold " + std::to_string(rng.below(1000)) + " " + word() + "s in April, and half as many in May.";
      for (int k = 0; k < 12; ++k) t += " " + word();
      t += " How many? \xE6\x95\xB0\xE5\xAD\xA6 caf\xC3\xA9 " + std::to_string(i);
      texts.push_back(std::move(t));
    }
  }
  return texts;
}

}  // namespace

TEST_CASE("trainer: hand-worked merges", "[tokenizer][trainer]") {
  // gpt2 pieces of "ab ab ab abc": "ab" x1, " ab" x2, " abc" x1. Pair counts: (a,b) 4, (' ',a) 3,
  // (b,c) 1. Merge a+b; then (' ',ab) 3, (ab,c) 1: merge ' '+ab; then (' ab',c) 1 < min 2: stop.
  BpeTrainerOptions o;
  o.pre_tokenizer = "gpt2";
  o.vocab_size = 1000;
  const Tokenizer tok = train({"ab ab ab abc"}, o);
  CHECK(merges_of(tok) == std::vector<std::string>{"a b", "\xC4\xA0 ab"});
  CHECK(tok.vocab_size() == 258 + 2);  // 256 bytes + 2 merges + BOS + EOS
  CHECK(tok.token_to_id("<|begin_of_text|>") == 258u);
  CHECK(tok.token_to_id("<|end_of_text|>") == 259u);
  CHECK(tok.bos_id() == 258u);
  CHECK(tok.eos_id() == 259u);
  CHECK(tok.encode(" ab ab", true) == std::vector<uint32_t>{258, 257, 257});
}

TEST_CASE("trainer: ties go to the smaller pair of ids", "[tokenizer][trainer]") {
  // pieces "xy" and " yz", every pair once: (' '=32, y) < (x=120, y) < (y, z) -> ' y' first;
  // then (x=120, y=121) < (' y'=256, z) -> xy; then ' y' + z.
  BpeTrainerOptions o;
  o.pre_tokenizer = "gpt2";
  o.vocab_size = 1000;
  o.min_frequency = 1;
  const Tokenizer tok = train({"xy yz"}, o);
  CHECK(merges_of(tok) == std::vector<std::string>{"\xC4\xA0 y", "x y", "\xC4\xA0y z"});
}

TEST_CASE("trainer: deepseek preset splits digits one per piece and stops at vocab size", "[tokenizer][trainer]") {
  BpeTrainerOptions o;
  o.vocab_size = 300;
  const Tokenizer tok = train(corpus_texts(500), o);
  CHECK(tok.vocab_size() == 300);
  for (const auto& token : tok.model().vocab()) {
    int digits = 0;
    for (char c : token) digits += c >= '0' && c <= '9';
    CHECK(digits <= 1);
  }
  CHECK_THROWS_WITH(BpeTrainer([] { BpeTrainerOptions b; b.vocab_size = 200; return b; }()), Catch::Contains("below the minimum"));
  CHECK_THROWS_WITH(BpeTrainer([] { BpeTrainerOptions b; b.extra_special_tokens = {"<|end_of_text|>"}; return b; }()),
                    Catch::Contains("repeated"));
}

TEST_CASE("trainer: same vocabulary for any thread count and trained tokenizers round-trip", "[tokenizer][trainer]") {
  const auto texts = corpus_texts(3000);
  for (const std::string preset : {"deepseek", "gpt2"}) {
    BpeTrainerOptions o;
    o.pre_tokenizer = preset;
    o.vocab_size = 1024;
    std::string first;
    for (int threads : {1, 2, 3}) {
      o.n_threads = threads;
      BpeTrainer trainer(o);
      trainer.add_texts(std::span(texts).first(1000));  // streamed in pieces
      trainer.add_texts(std::span(texts).subspan(1000));
      const auto json = trainer.train().tokenizer_json;
      if (first.empty()) first = json;
      INFO(preset << " with " << threads << " threads");
      CHECK(json == first);
    }
    const Tokenizer tok = Tokenizer::from_json_text(first, "trained");
    CHECK(tok.vocab_size() == 1024);
    for (size_t i = 0; i < texts.size(); i += 7) CHECK(tok.decode(tok.encode(texts[i], false), false) == texts[i]);
  }
}

TEST_CASE("trainer: the tokenizers package loads trained files and encodes identically", "[tokenizer][trainer][parity]") {
  DSMATH_REQUIRE_REFERENCE(test::hf_tokenizers_available(), "python package `tokenizers` (scripts/setup_reference.sh)");
  const auto texts = corpus_texts(4000);
  const std::vector<std::string> held_out(texts.begin() + 3000, texts.end());
  const auto dir = test::temp_dir("trainer-hf");
  for (const std::string preset : {"deepseek", "gpt2"}) {
    BpeTrainerOptions o;
    o.pre_tokenizer = preset;
    o.vocab_size = 2000;
    o.extra_special_tokens = {"<|pad|>"};
    BpeTrainer trainer(o);
    trainer.add_texts(std::span(texts).first(3000));
    const auto result = trainer.train();
    const auto path = dir / (preset + ".json");
    write_file_atomic(path, result.tokenizer_json);
    const Tokenizer tok = Tokenizer::load(path);
    std::vector<std::string> probe = held_out;
    probe.push_back("special <|pad|> and <|end_of_text|> in text, 123456, \xF0\x9F\xA6\x99 \xE2\x84\xA6");
    for (bool special : {false, true}) {
      const auto expected = test::hf_encode(path, probe, special);
      size_t mismatches = 0;
      for (size_t i = 0; i < probe.size(); ++i) mismatches += tok.encode(probe[i], special) != expected[i];
      INFO(preset << " add_special_tokens=" << special);
      CHECK(mismatches == 0);
    }
  }
  std::filesystem::remove_all(dir);
}
