#pragma once
// UTF-8 validity and repair. The tokenizer works on valid UTF-8 only, like the `tokenizers`
// library, which takes Python str. Bytes that are not valid UTF-8 are replaced the way Python
// decodes a file opened with errors='replace' (and Rust's String::from_utf8_lossy): each maximal
// subpart of an ill-formed sequence becomes one U+FFFD (Unicode 15 section 3.9, "U+FFFD
// Substitution of Maximal Subparts"). Overlong forms, surrogates and code points above
// U+10FFFF are ill-formed.
#include <cstdint>
#include <string>
#include <string_view>

namespace dsmath {

inline constexpr std::string_view kReplacementCharUtf8 = "\xEF\xBF\xBD";

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if none starts there.
size_t utf8_sequence_length(std::string_view s, size_t i);

bool is_valid_utf8(std::string_view s);

// s with every ill-formed subpart replaced by U+FFFD (s itself when it is valid).
std::string repair_utf8(std::string_view s);

// Length of the trailing bytes of s that begin a well-formed sequence but end before it does
// (0 if none): the only bytes whose meaning more input can change.
size_t utf8_unfinished_tail(std::string_view s);

// Decodes the well-formed sequence at s[i] (caller checked utf8_sequence_length(s, i) == n > 0).
char32_t decode_utf8_at(std::string_view s, size_t i, size_t n);

void append_utf8(std::string& out, char32_t cp);

// Unicode White_Space (PropList.txt): what Rust's char::is_whitespace and Oniguruma's \s match.
bool is_unicode_whitespace(char32_t cp);

}  // namespace dsmath
