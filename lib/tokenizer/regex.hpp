#pragma once
// The pre-tokenizer's regular expressions. `tokenizers` compiles them with Oniguruma (Ruby
// syntax); we compile them with PCRE2 (UTF + UCP, JIT) after rewriting the escapes whose
// meaning differs between the two engines:
//   \s  Oniguruma: Unicode White_Space. PCRE2/UCP also matches U+180E (listed in its \h).
//   \h  Oniguruma (Ruby): a hex digit. PCRE2: horizontal white space.
//   ^ $ Oniguruma (Ruby): at every line start/end. PCRE2: PCRE2_MULTILINE gives the same.
//   \p{L}, \p{N}, ... (general categories): `tokenizers` 0.23 has Unicode 16.0, PCRE2 10.42
//       Unicode 14.0; the class is widened by the code points assigned to it since
//       (unicode_delta.inc, generated from `tokenizers` by tests/tokenizer/gen_unicode_delta.py).
//       Inside a class, a negated \P{X} is left as is.
// Matches are reported as Oniguruma's find_iter reports them (non-overlapping, left to right;
// an empty match right after the previous match is skipped by advancing one character).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dsmath {

class Regex {
 public:
  Regex() = default;  // matches nothing
  // pattern in Oniguruma syntax, as stored in tokenizer.json ({"Regex": ...})
  static Regex from_oniguruma(std::string_view pattern);
  // matches `text` literally ({"String": ...} patterns)
  static Regex literal(std::string_view text);

  // Appends each match as [begin, end) byte offsets into `subject` (valid UTF-8).
  void find_all(std::string_view subject, std::vector<std::pair<uint32_t, uint32_t>>& matches) const;

  const std::string& source() const { return source_; }
  bool is_literal() const { return literal_; }

 private:
  struct Compiled;
  Regex(std::string source, std::string translated, bool literal);
  std::string source_;  // as written in tokenizer.json
  bool literal_ = false;
  std::shared_ptr<const Compiled> compiled_;
};

// The PCRE2 pattern equivalent to an Oniguruma pattern (exposed for tests and error messages).
std::string translate_oniguruma_pattern(std::string_view pattern);

}  // namespace dsmath
