// Parity with the `tokenizers` Python package (the reference implementation) on GSM8K/MATH
// text, on every Unicode code point, on invalid UTF-8 and in decoding. Runs where python3 with
// `tokenizers` is installed and shared/data is present; skips with a message otherwise.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/json.hpp"
#include "core/rng.hpp"
#include "reference.hpp"
#include "test_util.hpp"
#include "tokenizer/utf8.hpp"
#include "tokenizer_test_util.hpp"

using namespace dsmath;

namespace {

bool parity_prerequisites(const std::string& name) {
  return test::reference_present(test::reference_tokenizer(name) != nullptr, "../shared/data/tokenizers/" + name) &&
         test::reference_present(test::hf_tokenizers_available(), "python package `tokenizers` (scripts/setup_reference.sh)");
}

std::vector<std::string> read_field(const std::filesystem::path& file, const std::vector<std::string>& fields,
                                    size_t every = 1) {
  std::vector<std::string> out;
  std::ifstream in(file);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    if (n++ % every != 0) continue;
    const auto j = Json::parse(line);
    for (const auto& f : fields) out.push_back(j[f].get<std::string>());
  }
  return out;
}

// GSM8K and MATH questions and solutions (about 5 MB).
std::vector<std::string> math_texts() {
  const auto data = *test::shared_data_dir();
  std::vector<std::string> texts;
  for (auto&& part : {read_field(data / "gsm8k/train.jsonl", {"question", "answer"}, 2),
                      read_field(data / "gsm8k/test.jsonl", {"question", "answer"}),
                      read_field(data / "math/math_test_5000.jsonl", {"problem", "solution"}, 2),
                      read_field(data / "deepseek-math-eval/cmath/test.jsonl", {"question"}),
                      read_field(data / "deepseek-math-eval/agieval/gaokao-mathqa.jsonl", {"question"})})
    texts.insert(texts.end(), part.begin(), part.end());
  return texts;
}

// Every Unicode scalar value, 2048 per text, each between context characters that exercise the
// pre-tokenizer classes (letters, digits, spaces, punctuation, CJK).
std::vector<std::string> all_code_point_texts() {
  static const char* const contexts[] = {"a", " ", "1", "\n", "!", "\xE4\xB8\x80", "  ", "\xC3\xA9", "_", "'s"};
  std::vector<std::string> texts;
  Rng rng(7);
  std::string text;
  for (char32_t cp = 1; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    append_utf8(text, cp);
    if (rng.below(3) == 0) text += contexts[rng.below(std::size(contexts))];
    if (cp % 2048 == 0) {
      texts.push_back(std::move(text));
      text.clear();
    }
  }
  texts.push_back(text);
  return texts;
}

// Random strings of spaces, letters, marks, digits and symbols from many scripts.
std::vector<std::string> random_unicode_texts(size_t count, uint64_t seed) {
  static const char32_t pool[] = {
      ' ', ' ', ' ', '\t', '\n', '\r', 0x0B, 0x0C, 0x85, 0xA0, 0x1680, 0x180E, 0x2000, 0x2009, 0x200B, 0x2028, 0x202F,
      0x3000, 0xFEFF, 'a', 'Z', 'e', 's', 't', '\'', '0', '7', '.', ',', '$', '\\', '{', '}', '^', '_', 0xB2, 0xBD,
      0x0663, 0x0969, 0xFF11, 0x2167, 0x0301, 0x0308, 0x20D7, 0x00E9, 0x00FC, 0x00F8, 0x00C0, 0x0391, 0x03C9, 0x1F7D,
      0x1FBE, 0x2126, 0x212A, 0x212B, 0x0416, 0x0531, 0x05D0, 0x0627, 0x0E01, 0x4E00, 0x4E2D, 0x9FA5, 0x9FA6, 0x3042,
      0x30A2, 0xAC00, 0xD7A3, 0x1F600, 0x1F999, 0x1F468, 0x200D, 0x1F469, 0x1D400, 0x1E900, 0x10400, 0xFF01, 0xFF5E,
      0x2018, 0x201D, 0x3001, 0x2212, 0x221A, 0x222B, 0x03C0, 0x2264, 0x00B5, 0x1D6D1, 0xE000, 0x10FFFF};
  Rng rng(seed);
  std::vector<std::string> texts;
  for (size_t i = 0; i < count; ++i) {
    std::string t;
    const size_t len = rng.below(40);
    for (size_t k = 0; k < len; ++k) append_utf8(t, pool[rng.below(std::size(pool))]);
    texts.push_back(std::move(t));
  }
  return texts;
}

// The first differing token and its neighbourhood, as token strings.
std::string describe_difference(const Tokenizer& tok, const std::vector<uint32_t>& got, const std::vector<uint32_t>& expected) {
  size_t k = 0;
  while (k < got.size() && k < expected.size() && got[k] == expected[k]) ++k;
  auto window = [&](const std::vector<uint32_t>& ids) {
    Json j = Json::array();
    for (size_t i = k >= 3 ? k - 3 : 0; i < std::min(ids.size(), k + 4); ++i)
      j.push_back(std::to_string(ids[i]) + ":" + repair_utf8(std::string(tok.token_bytes(ids[i]))));
    return j.dump();
  };
  return "first difference at token " + std::to_string(k) + "\n  dsmath:     " + window(got) + "\n  tokenizers: " +
         window(expected);
}

void check_parity(const std::string& name, const std::vector<std::string>& texts, bool add_special_tokens) {
  const Tokenizer* tok = test::reference_tokenizer(name);
  const auto expected = test::hf_encode(*test::reference_tokenizer_dir(name) / "tokenizer.json", texts, add_special_tokens);
  const auto got = tok->encode_batch(texts, add_special_tokens);
  size_t mismatches = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (got[i] == expected[i]) continue;
    if (++mismatches <= 3) {
      INFO(name << " text #" << i << ": " << describe_difference(*tok, got[i], expected[i]));
      CHECK(got[i] == expected[i]);
    }
  }
  INFO(name << ": " << mismatches << " of " << texts.size() << " texts differ from `tokenizers`");
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("encodes GSM8K/MATH text exactly as the tokenizers package", "[tokenizer][parity]") {
  const auto texts = test::shared_data_dir() ? math_texts() : std::vector<std::string>{};
  for (const std::string name : {"deepseek-math", "gpt2"}) {
    if (!parity_prerequisites(name)) continue;
    check_parity(name, texts, name == "deepseek-math");
  }
  SUCCEED();
}

TEST_CASE("encodes every Unicode code point exactly as the tokenizers package", "[tokenizer][parity]") {
  const auto texts = all_code_point_texts();
  for (const std::string name : {"deepseek-math", "gpt2"})
    if (parity_prerequisites(name)) check_parity(name, texts, false);
  SUCCEED();
}

TEST_CASE("encodes random multi-script strings exactly as the tokenizers package", "[tokenizer][parity]") {
  const auto texts = random_unicode_texts(3000, 11);
  for (const std::string name : {"deepseek-math", "gpt2"})
    if (parity_prerequisites(name)) check_parity(name, texts, false);
  SUCCEED();
}

TEST_CASE("invalid UTF-8 is encoded as Python reads it with errors='replace'", "[tokenizer][parity]") {
  // random bytes biased to UTF-8 lead and continuation bytes, so truncated and overlong
  // sequences, surrogates and out-of-range code points all occur
  Rng rng(5);
  std::vector<std::string> texts;
  static const uint8_t bytes[] = {'a', ' ', '1', 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xDF, 0xE0, 0xE2, 0xED, 0xEF,
                                  0xF0, 0xF4, 0xF5, 0xFF, 0xA0, 0x9F, 0x8F, 0x90, 0x82, 0xAC};
  for (int i = 0; i < 2000; ++i) {
    std::string t;
    const size_t len = rng.below(24);
    for (size_t k = 0; k < len; ++k) t.push_back(static_cast<char>(bytes[rng.below(std::size(bytes))]));
    texts.push_back(std::move(t));
  }
  for (const std::string name : {"deepseek-math", "gpt2"})
    if (parity_prerequisites(name)) check_parity(name, texts, false);
  SUCCEED();
}

TEST_CASE("decodes exactly as the tokenizers package", "[tokenizer][parity]") {
  for (const std::string name : {"deepseek-math", "gpt2"}) {
    if (!parity_prerequisites(name)) continue;
    const Tokenizer* tok = test::reference_tokenizer(name);
    // random id sequences: single-byte tokens make invalid UTF-8 mid-stream, added and special
    // tokens go through the ByteLevel decoder, undefined ids are skipped
    Rng rng(3);
    std::vector<std::vector<uint32_t>> seqs;
    for (int i = 0; i < 500; ++i) {
      std::vector<uint32_t> ids;
      const size_t len = rng.below(12);
      for (size_t k = 0; k < len; ++k) {
        const auto r = rng.below(10);
        ids.push_back(r < 4   ? static_cast<uint32_t>(rng.below(256))
                      : r < 6 ? tok->vocab_size() - 1 - static_cast<uint32_t>(rng.below(16))
                              : static_cast<uint32_t>(rng.below(tok->vocab_size())));
      }
      seqs.push_back(std::move(ids));
    }
    const auto path = *test::reference_tokenizer_dir(name) / "tokenizer.json";
    for (bool skip : {false, true}) {
      const auto expected = test::hf_decode(path, seqs, skip);
      size_t mismatches = 0;
      for (size_t i = 0; i < seqs.size(); ++i) {
        if (tok->decode(seqs[i], skip) == expected[i]) continue;
        if (++mismatches <= 3) CHECK(tok->decode(seqs[i], skip) == expected[i]);
      }
      CHECK(mismatches == 0);
    }
  }
  SUCCEED();
}
