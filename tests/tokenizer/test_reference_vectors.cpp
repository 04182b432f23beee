// The published test vectors (shared/data/tokenizers/*/tests.jsonl, from llama.cpp's
// ggml-vocab-*.gguf.inp/.out, which `tokenizers` produced) must be reproduced exactly.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/json.hpp"
#include "reference.hpp"
#include "tokenizer_test_util.hpp"

using namespace dsmath;

namespace {

void check_vectors(const std::string& name, size_t expected_cases) {
  const Tokenizer* tok = test::reference_tokenizer(name);
  DSMATH_REQUIRE_REFERENCE(tok != nullptr, "../shared/data/tokenizers/" << name);
  std::ifstream in(*test::reference_tokenizer_dir(name) / "tests.jsonl");
  std::string line;
  size_t cases = 0;
  while (std::getline(in, line)) {
    const auto j = Json::parse(line);
    const auto text = j["text"].get<std::string>();
    const auto expected = j["ids"].get<std::vector<uint32_t>>();
    INFO(name << " case " << cases << ": " << j["text"].dump());
    CHECK(tok->encode(text, false) == expected);
    // decoding gives the text back, except through the one-character added tokens, whose
    // content the ByteLevel decoder maps to single Latin-1 bytes (checked below)
    bool through_added = false;
    for (uint32_t id : expected) through_added |= tok->id_to_token(id) != std::nullopt && !tok->is_special(id) &&
                                                   id >= tok->model().size();
    if (!through_added) CHECK(tok->decode(expected, false) == text);
    ++cases;
  }
  CHECK(cases == expected_cases);
}

}  // namespace

TEST_CASE("DeepSeek tokenizer reproduces every published vector", "[tokenizer]") { check_vectors("deepseek-math", 46); }

TEST_CASE("GPT-2 tokenizer reproduces every published vector", "[tokenizer]") { check_vectors("gpt2", 46); }

TEST_CASE("DeepSeek tokenizer: BOS and special and one-character added tokens", "[tokenizer]") {
  const Tokenizer* tok = test::reference_tokenizer("deepseek-math");
  DSMATH_REQUIRE_REFERENCE(tok != nullptr, "../shared/data/tokenizers/deepseek-math");
  // SOURCES.md: len(tokenizer) is 100015 (the model has 102400 embedding rows)
  CHECK(tok->vocab_size() == 100015);
  CHECK(tok->bos_id() == 100000u);
  CHECK(tok->eos_id() == 100001u);
  CHECK(tok->pad_id() == 100001u);
  CHECK(tok->encode("Hi", true) == std::vector<uint32_t>{100000, 11007});
  // "Führer" -> 37 100014 71 6245: "ü" is the added token 100014, matched before BPE
  CHECK(tok->encode("F\xC3\xBChrer", true) == std::vector<uint32_t>{100000, 37, 100014, 71, 6245});
  // the ByteLevel decoder maps "ü" (U+00FC) to byte 0xFC, invalid alone: `tokenizers` prints U+FFFD
  CHECK(tok->decode(std::vector<uint32_t>{37, 100014, 71, 6245}, false) == "F\xEF\xBF\xBDhrer");
  // special tokens in the text are split out even without add_special_tokens
  CHECK(tok->encode("a<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>b", false) ==
        std::vector<uint32_t>{64, 100001, 65});
  CHECK(tok->decode(std::vector<uint32_t>{100000, 64, 100001, 65}, true) == "ab");
  // ids past len(tokenizer) (embedding padding rows) decode to nothing, as in `tokenizers`
  CHECK(tok->decode(std::vector<uint32_t>{64, 100015, 102399, 65}, false) == "ab");
}
