#pragma once
// One tokenizer for every word-level rule of corpus selection: the classifier's text
// normalization, MinHash shingles and decontamination n-grams (docs/data.md, "Text
// normalization"). A token is
//   - a word: a run of letters and digits (ASCII, Latin-1 letters, and any other code point
//     not listed below: Greek, Cyrillic, Hangul, ...),
//   - a CJK character (Han, kana): one token each, since Chinese and Japanese have no spaces
//     (CMATH and the Gaokao sets of AGIEval are Chinese),
//   - a symbol: one punctuation or math character (ASCII punctuation, Latin-1 signs such as
//     ± × ÷, General Punctuation, arrows and math operators, CJK and full-width punctuation).
// Whitespace, control characters and invalid UTF-8 separate tokens and are dropped. ASCII
// letters are lowercased; other scripts are kept as they are.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dsmath::select {

enum class TokenKind : uint8_t { word, cjk, symbol };

struct TokenSpan {
  uint32_t begin = 0;  // byte offsets into the text
  uint32_t end = 0;
  TokenKind kind = TokenKind::word;
};

// All tokens of `text` in order (cleared first). Texts over 4 GiB are cut at 4 GiB.
void tokenize(std::string_view text, std::vector<TokenSpan>& tokens);

// The classifier's view of a page: every token (symbols included, so "$x^2$" reads as
// "$ x ^ 2 $") lowercased and joined by single spaces on one line, as fastText wants one
// example per line.
std::string normalize_for_classifier(std::string_view text);
void normalize_for_classifier(std::string_view text, std::string& out);

// Hashes (XXH3 of the lowercased bytes) of the word and CJK tokens, symbols dropped: the
// units of shingles and n-grams. `spans` (optional) receives each word's byte span.
void word_hashes(std::string_view text, std::vector<uint64_t>& hashes, std::vector<TokenSpan>* spans = nullptr);

// The lowercased word tokens of `text` joined by spaces (for reports of what matched).
std::string words_text(std::string_view text, const std::vector<TokenSpan>& spans, size_t first, size_t count);

}  // namespace dsmath::select
