// Golden encodings of the committed fixtures (made by make_fixtures.py with the `tokenizers`
// package): Split behaviors and inversion, a regex with empty matches, Digits, ByteLevel with
// add_prefix_space, added tokens with lstrip/rstrip/single_word/normalized, "a b" and
// ["a", "b"] merges, ignore_merges, TemplateProcessing and RobertaProcessing. Always runs.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "core/json.hpp"
#include "test_util.hpp"
#include "tokenizer/tokenizer.hpp"

using namespace dsmath;

TEST_CASE("fixture tokenizers encode and decode as the tokenizers package did", "[tokenizer]") {
  const auto dir = test::source_dir() / "tests" / "tokenizer" / "fixtures";
  std::map<std::string, Tokenizer> tokenizers;
  for (const std::string name : {"options-a", "options-b"}) tokenizers.emplace(name, Tokenizer::load(dir / (name + ".json")));
  std::ifstream in(dir / "options-golden.jsonl");
  std::string line;
  size_t cases = 0;
  while (std::getline(in, line)) {
    const auto j = Json::parse(line);
    const Tokenizer& tok = tokenizers.at(j["fixture"].get<std::string>());
    const auto text = j["text"].get<std::string>();
    const bool special = j["special"].get<bool>();
    const auto expected = j["ids"].get<std::vector<uint32_t>>();
    INFO(j["fixture"].get<std::string>() << " special=" << special << " text " << j["text"].dump());
    CHECK(tok.encode(text, special) == expected);
    CHECK(tok.decode(expected, false) == j["decoded"].get<std::string>());
    CHECK(tok.decode(expected, true) == j["decoded_skip"].get<std::string>());
    ++cases;
  }
  CHECK(cases == 124);
}

TEST_CASE("fixture: merges in both formats load to the same model", "[tokenizer]") {
  const auto dir = test::source_dir() / "tests" / "tokenizer" / "fixtures";
  const Tokenizer a = Tokenizer::load(dir / "options-a.json");  // [["a", "b"], ...]
  const Tokenizer b = Tokenizer::load(dir / "options-b.json");  // ["a b", ...]
  CHECK(a.model().n_merges() == b.model().n_merges());
  CHECK(a.model().merge_pairs() == b.model().merge_pairs());
  CHECK(a.model().vocab() == b.model().vocab());
  CHECK(b.model().ignore_merges());
  CHECK(a.vocab_size() == 604);
}
