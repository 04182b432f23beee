#pragma once
// Incremental detokenization for generation: feed ids one at a time and get the text that is
// complete so far. A character split across tokens (byte-level BPE splits rare characters into
// byte tokens) is held back until its last byte arrives; bytes that can never form a character
// come out as U+FFFD at once. The concatenated output equals Tokenizer::decode of all ids.
#include <cstdint>
#include <string>

#include "tokenizer/tokenizer.hpp"

namespace dsmath {

class StreamDecoder {
 public:
  StreamDecoder(const Tokenizer& tokenizer, bool skip_special_tokens)
      : tokenizer_(&tokenizer), skip_special_(skip_special_tokens) {}
  // The text completed by `id` (possibly empty).
  std::string push(uint32_t id);
  // The rest at the end of the stream (an unfinished character becomes U+FFFD).
  std::string finish();

 private:
  const Tokenizer* tokenizer_;
  bool skip_special_;
  std::string pending_;  // bytes of a character that may still be completed
};

}  // namespace dsmath
