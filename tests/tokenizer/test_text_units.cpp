// The pieces under the tokenizer: UTF-8 repair (Python's errors='replace', checked by hand
// against CPython 3.11), GPT-2's byte alphabet, the Oniguruma -> PCRE2 rewrite, the BPE merge
// order, long inputs, round trips, and errors for malformed tokenizer.json files.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "reference.hpp"
#include "test_util.hpp"
#include "tokenizer/byte_level.hpp"
#include "tokenizer/regex.hpp"
#include "tokenizer/stream_decoder.hpp"
#include "tokenizer/tokenizer.hpp"
#include "tokenizer/utf8.hpp"
#include "tokenizer_test_util.hpp"

using namespace dsmath;

namespace {

const std::string R = "\xEF\xBF\xBD";  // U+FFFD

std::vector<std::pair<uint32_t, uint32_t>> matches(const Regex& re, std::string_view s) {
  std::vector<std::pair<uint32_t, uint32_t>> m;
  re.find_all(s, m);
  return m;
}

// A one-file tokenizer.json: bytes a, b, c (byte-level text) with merges, GPT-2 pre-tokenizer.
std::string mini_tokenizer_json(const std::string& merges, const std::string& extra = "") {
  return R"({"version": "1.0", "added_tokens": [], "normalizer": null,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
    "post_processor": null, "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "bc": 4, "abc": 5, "aa": 6)" + extra +
         R"(}, "merges": )" + merges + "}}";
}

}  // namespace

TEST_CASE("UTF-8 repair replaces maximal subparts as Python errors='replace'", "[tokenizer][utf8]") {
  CHECK(repair_utf8("plain \xE6\x95\xB0 \xF0\x9F\x98\x80") == "plain \xE6\x95\xB0 \xF0\x9F\x98\x80");
  CHECK(repair_utf8("\xE2\x82" "A") == R + "A");            // truncated 3-byte sequence: one U+FFFD
  CHECK(repair_utf8("\xF0\x80\x80\x80") == R + R + R + R);  // overlong: F0 needs 90..BF next
  CHECK(repair_utf8("\xED\xA0\x80") == R + R + R);          // UTF-16 surrogate
  CHECK(repair_utf8("\xC0\xAF") == R + R);                  // C0 never starts a sequence
  CHECK(repair_utf8("\xF4\x90\x80\x80") == R + R + R + R);  // above U+10FFFF
  CHECK(repair_utf8("\xE2\x82") == R);                      // truncated at the end
  CHECK(repair_utf8("\xF0\x9F\x98x") == R + "x");
  CHECK(repair_utf8("a\x80\x80" "b") == "a" + R + R + "b");
  CHECK(repair_utf8(std::string("\0\xFF", 2)) == std::string("\0", 1) + R);
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  CHECK_FALSE(is_valid_utf8("12345678\xFF"));
}

TEST_CASE("GPT-2 byte alphabet", "[tokenizer]") {
  CHECK(byte_level_char(' ') == U'\u0120');  // 'Ġ'
  CHECK(byte_level_char('\n') == U'\u010A');  // 'Ċ'
  CHECK(byte_level_char(0) == U'\u0100');
  CHECK(byte_level_char(0xAD) == U'\u0143');  // the soft hyphen is the last remapped byte
  CHECK(byte_level_char('!') == U'!');
  CHECK(byte_level_char(0xFF) == U'\u00FF');
  for (int b = 0; b < 256; ++b) CHECK(byte_level_byte(byte_level_char(static_cast<uint8_t>(b))) == b);
  CHECK(byte_level_token_bytes("\xC4\xA0the") == " the");
  // a token with a character outside the alphabet decodes to its own UTF-8
  CHECK(byte_level_token_bytes("<\xEF\xBD\x9C" "a>") == "<\xEF\xBD\x9C" "a>");
}

TEST_CASE("Oniguruma patterns get Oniguruma meanings under PCRE2", "[tokenizer][regex]") {
  // \s is Unicode White_Space: not U+180E (PCRE2's \h has it), not U+200B
  const Regex space = Regex::from_oniguruma("\\s+");
  CHECK(matches(space, "a\xE1\xA0\x8E" "b").empty());  // U+180E
  CHECK(matches(space, "a\xC2\x85" "b").size() == 1);   // NEL
  CHECK(matches(space, "a\xE3\x80\x80" "b").size() == 1);  // U+3000
  // \h is a hex digit in Ruby syntax
  CHECK(matches(Regex::from_oniguruma("\\h+"), "xyz09afG") == std::vector<std::pair<uint32_t, uint32_t>>{{3, 7}});
  // $ and ^ at every line end/start (Ruby)
  CHECK(matches(Regex::from_oniguruma("\\s+$"), "a  \nb  \n") == std::vector<std::pair<uint32_t, uint32_t>>{{1, 3}, {5, 8}});
  CHECK(matches(Regex::from_oniguruma("^a"), "ab\nab") == std::vector<std::pair<uint32_t, uint32_t>>{{0, 1}, {3, 4}});
  // \p{L} covers letters assigned after Unicode 14: U+1C89 CYRILLIC CAPITAL LETTER TJE (16.0)
  CHECK(matches(Regex::from_oniguruma("\\p{L}+"), "\xE1\xB2\x89") == std::vector<std::pair<uint32_t, uint32_t>>{{0, 3}});
  CHECK(matches(Regex::from_oniguruma("[^\\s\\p{L}]+"), "\xE1\xB2\x89").empty());
  // empty matches: one per position, skipped right after a match (find_iter)
  CHECK(matches(Regex::from_oniguruma("x*"), "abxxc") ==
        std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}, {1, 1}, {2, 4}, {5, 5}});
  CHECK(matches(Regex::literal("a.b"), "a.bxa.b") == std::vector<std::pair<uint32_t, uint32_t>>{{0, 3}, {4, 7}});
  CHECK_THROWS_WITH(Regex::from_oniguruma("(unclosed"), Catch::Contains("(unclosed") && Catch::Contains("does not compile"));
  CHECK_THROWS_WITH(Regex::from_oniguruma("[\\S]"), Catch::Contains("not supported"));
}

TEST_CASE("BPE applies the lowest-ranked merge first and the leftmost among equals", "[tokenizer]") {
  // "abc" with merges [b c, a b]: b+c first (rank 0) -> a bc; there is no a+bc merge
  const Tokenizer t1 = Tokenizer::from_json_text(mini_tokenizer_json(R"(["b c", "a b"])"), "mini");
  CHECK(t1.encode("abc", false) == std::vector<uint32_t>{0, 4});
  // with [a b, ab c]: a+b, then ab+c
  const Tokenizer t2 = Tokenizer::from_json_text(mini_tokenizer_json(R"([["a", "b"], ["ab", "c"]])"), "mini");
  CHECK(t2.encode("abc", false) == std::vector<uint32_t>{5});
  // "aaa" with a+a: the leftmost pair merges, the last a stays
  CHECK(t2.encode("aaa", false) == std::vector<uint32_t>{0, 0, 0});
  const Tokenizer t3 = Tokenizer::from_json_text(mini_tokenizer_json(R"(["a a"])"), "mini");
  CHECK(t3.encode("aaa", false) == std::vector<uint32_t>{6, 0});
  CHECK(t3.encode("aaaa", false) == std::vector<uint32_t>{6, 6});
  // a byte the vocab lacks (no unk token) is dropped and its neighbours merge, as in
  // `tokenizers` (0.23.3 gives [6] too)
  CHECK(t3.encode("axa", false) == std::vector<uint32_t>{6});
}

TEST_CASE("malformed tokenizer.json files are clear errors", "[tokenizer]") {
  CHECK_THROWS_WITH(Tokenizer::from_json_text("{", "bad.json"), Catch::Contains("bad.json") && Catch::Contains("malformed JSON"));
  CHECK_THROWS_WITH(Tokenizer::from_json_text(mini_tokenizer_json(R"(["a x"])"), "m.json"),
                    Catch::Contains("m.json") && Catch::Contains("merge #0") && Catch::Contains("missing from the vocab"));
  CHECK_THROWS_WITH(Tokenizer::from_json_text(mini_tokenizer_json(R"(["c a"])"), "m.json"), Catch::Contains("'ca'"));
  CHECK_THROWS_WITH(Tokenizer::from_json_text(mini_tokenizer_json(R"(["a b c"])"), "m.json"), Catch::Contains("merges[0]"));
  CHECK_THROWS_WITH(Tokenizer::from_json_text(mini_tokenizer_json("[]", R"(, "dup": 1)"), "m.json"),
                    Catch::Contains("id 1 is given to both"));
  std::string with_normalizer = mini_tokenizer_json("[]");
  with_normalizer.replace(with_normalizer.find("\"normalizer\": null"), 18, R"("normalizer": {"type": "NFC"})");
  CHECK_THROWS_WITH(Tokenizer::from_json_text(with_normalizer, "m.json"), Catch::Contains("normalizer"));
  CHECK_THROWS_WITH(Tokenizer::load("/nonexistent/tokenizer.json"), Catch::Contains("not found"));
}

TEST_CASE("long runs encode without trouble and round-trip", "[tokenizer]") {
  for (const std::string name : {"deepseek-math", "gpt2"}) {
    const Tokenizer* tok = test::reference_tokenizer(name);
    if (tok == nullptr) continue;
    for (const std::string& text : {std::string(200000, ' '), std::string(100000, 'a'), "x" + std::string(50000, '\n') + "y",
                                    std::string(30000, '9')}) {
      const auto ids = tok->encode(text, false);
      CHECK(tok->decode(ids, false) == text);
    }
  }
  SUCCEED();
}

TEST_CASE("decode(encode(x)) == x for arbitrary UTF-8 and invalid bytes come back as U+FFFD", "[tokenizer]") {
  static const char32_t pool[] = {'a', 'Z', ' ', '\n', '\t', '0', '9', '.', '$', 0xE9, 0x0301, 0x0308, 0x0627, 0x4E2D,
                                  0x6570, 0xAC00, 0x1F600, 0x1F999, 0x200D, 0x1F469, 0x2126, 0x3000, 0xFEFF, 0x10FFFF};
  std::vector<const Tokenizer*> tokenizers;
  const auto fixture = Tokenizer::load(test::source_dir() / "tests" / "tokenizer" / "fixtures" / "options-b.json");
  for (const std::string name : {"deepseek-math", "gpt2"})
    if (const Tokenizer* t = test::reference_tokenizer(name)) tokenizers.push_back(t);
  Rng rng(21);
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    const size_t len = rng.below(30);
    for (size_t k = 0; k < len; ++k) {
      if (rng.below(8) == 0)
        text.push_back(static_cast<char>(0x80 + rng.below(128)));  // a stray byte: invalid UTF-8
      else
        append_utf8(text, pool[rng.below(std::size(pool))]);
    }
    const std::string expected = repair_utf8(text);
    for (const Tokenizer* tok : tokenizers) CHECK(tok->decode(tok->encode(text, false), false) == expected);
    // the fixture removes white space (Split behavior Removed); the rest must survive
    std::string no_space;
    for (char c : expected)
      if (c != ' ' && c != '\n' && c != '\t') no_space.push_back(c);
    if (no_space.find("\xE3\x80\x80") == std::string::npos && no_space.find("\xEF\xBB\xBF") == std::string::npos &&
        no_space.find("\xC3\xA9") == std::string::npos)
      CHECK(fixture.decode(fixture.encode(text, false), false) == no_space);
  }
}

TEST_CASE("streaming decode equals decoding all ids at once", "[tokenizer]") {
  CHECK(utf8_unfinished_tail("ab\xE2\x82") == 2);
  CHECK(utf8_unfinished_tail("ab\xF0\x9F") == 2);
  CHECK(utf8_unfinished_tail("ab\xF0\x80") == 0);  // F0 80 can never be completed
  CHECK(utf8_unfinished_tail("ab\xE2\x82\xAC") == 0);
  CHECK(utf8_unfinished_tail("\xC3") == 1);
  CHECK(utf8_unfinished_tail("\x80\x80") == 0);
  std::vector<const Tokenizer*> tokenizers;
  for (const std::string name : {"deepseek-math", "gpt2"})
    if (const Tokenizer* t = test::reference_tokenizer(name)) tokenizers.push_back(t);
  DSMATH_REQUIRE_REFERENCE(!tokenizers.empty(), "../shared/data/tokenizers (the vocabulary part of this case)");
  Rng rng(17);
  for (const Tokenizer* tok : tokenizers) {
    for (int i = 0; i < 1000; ++i) {
      std::vector<uint32_t> ids;
      const size_t len = rng.below(16);
      for (size_t k = 0; k < len; ++k)
        ids.push_back(rng.below(2) ? static_cast<uint32_t>(rng.below(256))  // byte tokens split characters
                                   : static_cast<uint32_t>(rng.below(tok->vocab_size() + 10)));
      for (bool skip : {false, true}) {
        StreamDecoder stream(*tok, skip);
        std::string text;
        for (uint32_t id : ids) {
          const std::string piece = stream.push(id);
          CHECK(is_valid_utf8(piece));
          text += piece;
        }
        text += stream.finish();
        CHECK(text == tok->decode(ids, skip));
      }
    }
  }
}
