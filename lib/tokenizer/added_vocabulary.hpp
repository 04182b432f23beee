#pragma once
// Added tokens (tokenizer.json "added_tokens"): strings matched in the raw text before
// pre-tokenization and emitted as one id each, as `tokenizers` AddedVocabulary does. Tokens
// with normalized=false are extracted first, then those with normalized=true from the rest
// (there is no normalizer, so the second pass sees the same text). Matching is
// leftmost-longest, non-overlapping; single_word, lstrip and rstrip behave as in
// tokenizers/src/tokenizer/added_vocabulary.rs (find_matches).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/regex.hpp"

namespace dsmath {

struct AddedToken {
  uint32_t id = 0;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

// A range of the text: plain text to pre-tokenize (token_id < 0) or one added token.
struct TextSegment {
  uint32_t begin = 0;
  uint32_t end = 0;
  int64_t token_id = -1;
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  explicit AddedVocabulary(std::vector<AddedToken> tokens);

  // Replaces `out` with the segments of `text` (valid UTF-8); empty text gives no segments.
  void split(std::string_view text, std::vector<TextSegment>& out) const;

  const std::vector<AddedToken>& tokens() const { return tokens_; }
  bool empty() const { return tokens_.empty(); }

 private:
  // Token indices by first byte, longest first: the first that matches at a position is the
  // leftmost-longest match there.
  struct Matcher {
    std::array<std::vector<uint32_t>, 256> by_first_byte;
    std::array<bool, 256> any{};
    bool empty = true;
  };
  void find(std::string_view text, uint32_t base, const Matcher& matcher, std::vector<TextSegment>& out) const;
  bool is_word_char_before(std::string_view text, size_t pos) const;
  bool is_word_char_at(std::string_view text, size_t pos) const;

  std::vector<AddedToken> tokens_;
  Matcher raw_;         // normalized == false
  Matcher normalized_;  // normalized == true
  Regex word_char_;
};

}  // namespace dsmath
