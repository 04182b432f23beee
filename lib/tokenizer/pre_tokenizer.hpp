#pragma once
// The pre-tokenizer of a byte-level BPE tokenizer.json: a list of steps applied in order, each
// to every piece the previous step produced, as `tokenizers` does (pre_tokenizers/*.rs):
//   Split(pattern, behavior, invert)  pattern {"Regex": Oniguruma} or {"String": literal}
//   Digits(individual_digits)         numeric characters (general category N) split out
//   ByteLevel(add_prefix_space, use_regex)  optional " " before each piece, then (use_regex)
//                                     the GPT-2 regex; it must be the last step
// A Sequence is flattened into its steps. Pieces are byte ranges of the input text; a piece
// can start with a virtual space (ByteLevel add_prefix_space) that the text does not hold.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/regex.hpp"

namespace dsmath {

// The piece's bytes are (space_prefixed ? " " : "") + text[begin, end).
struct PreToken {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool space_prefixed = false;

  // The piece's bytes; `scratch` holds them when a virtual space must be prepended.
  std::string_view bytes(std::string_view text, std::string& scratch) const {
    const std::string_view own = text.substr(begin, end - begin);
    if (!space_prefixed) return own;
    scratch.assign(1, ' ');
    scratch.append(own);
    return scratch;
  }
};

enum class SplitBehavior { removed, isolated, merged_with_previous, merged_with_next, contiguous };

// The regex ByteLevel(use_regex=true) applies (openai/gpt-2 encoder.py, as in `tokenizers`).
inline constexpr std::string_view kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class PreTokenizer {
 public:
  struct Step {
    enum class Kind { split, byte_level } kind = Kind::split;
    Regex regex;
    SplitBehavior behavior = SplitBehavior::isolated;
    bool invert = false;
    bool add_prefix_space = false;  // byte_level only
    bool use_regex = true;          // byte_level only
  };

  // `where` names the file for error messages ("tokenizer.json").
  static PreTokenizer from_json(const nlohmann::json& j, const std::string& where);
  // Presets for training: GPT-2 (ByteLevel with its regex) and DeepSeek LLM (the Split regexes
  // of llama.cpp's LLAMA_VOCAB_PRE_TYPE_DEEPSEEK_LLM, digits one per piece).
  static PreTokenizer gpt2();
  static PreTokenizer deepseek();

  // Appends the pieces of `text` (valid UTF-8, one segment between added tokens).
  void split(std::string_view text, std::vector<PreToken>& pieces) const;

  // The JSON form, as read (written back verbatim so a round trip changes nothing).
  const nlohmann::json& to_json() const { return json_; }

 private:
  std::vector<Step> steps_;
  nlohmann::json json_;
};

}  // namespace dsmath
