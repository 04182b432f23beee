// Tokenizer and classifier normalization: hand-worked examples of the rules in text_tokens.hpp.
#include <catch2/catch.hpp>

#include "select/text_tokens.hpp"

using namespace dsmath::select;

namespace {

std::vector<std::string> token_texts(std::string_view text) {
  std::vector<TokenSpan> spans;
  tokenize(text, spans);
  std::vector<std::string> out;
  for (const auto& s : spans) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

}  // namespace

TEST_CASE("tokenize splits words and symbols and CJK characters") {
  CHECK(token_texts("Let $x^2+1=0$.") ==
        std::vector<std::string>{"Let", "$", "x", "^", "2", "+", "1", "=", "0", "$", "."});
  CHECK(token_texts("  \t\nJanet\u2019s ducks  ") == std::vector<std::string>{"Janet", "\u2019", "s", "ducks"});
  // Han characters are one token each; full-width punctuation is a symbol; digits stay words
  CHECK(token_texts("妈咪买了3盒茶叶，共18包") ==
        std::vector<std::string>{"妈", "咪", "买", "了", "3", "盒", "茶", "叶", "，", "共", "18", "包"});
  // accented Latin and Greek letters belong to words; × and ± are symbols; NBSP separates
  CHECK(token_texts("café α×β ±1\u00a0end") ==
        std::vector<std::string>{"café", "α", "×", "β", "±", "1", "end"});
  // invalid UTF-8 bytes separate tokens and are dropped
  CHECK(token_texts(std::string("ab\xff" "cd\xc3")) == std::vector<std::string>{"ab", "cd"});
}

TEST_CASE("token kinds") {
  std::vector<TokenSpan> spans;
  tokenize("a+数", spans);
  REQUIRE(spans.size() == 3);
  CHECK(spans[0].kind == TokenKind::word);
  CHECK(spans[1].kind == TokenKind::symbol);
  CHECK(spans[2].kind == TokenKind::cjk);
}

TEST_CASE("classifier normalization is one lowercased line of tokens") {
  CHECK(normalize_for_classifier("Prove that\n$\\frac{A}{B} \\geq 2$!") ==
        "prove that $ \\ frac { a } { b } \\ geq 2 $ !");
  CHECK(normalize_for_classifier("") == "");
  CHECK(normalize_for_classifier(" \n\t ") == "");
  CHECK(normalize_for_classifier("ÉTÉ Été") == "ÉtÉ Été");  // only ASCII is lowercased
}

TEST_CASE("word hashes ignore case and symbols") {
  std::vector<uint64_t> a, b;
  std::vector<TokenSpan> spans;
  word_hashes("The CAT, the cat!", a, &spans);
  word_hashes("the cat the cat", b);
  REQUIRE(a.size() == 4);
  CHECK(a == b);
  CHECK(a[0] == a[2]);
  CHECK(a[0] != a[1]);
  CHECK(words_text("The CAT, the cat!", spans, 1, 2) == "cat the");
}
