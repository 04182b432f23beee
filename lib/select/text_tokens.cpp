#include "select/text_tokens.hpp"

#include <array>
#include <limits>

#include "core/hash.hpp"

namespace dsmath::select {
namespace {

enum class CharClass : uint8_t { separator, word, cjk, symbol };

constexpr std::array<CharClass, 128> make_ascii_classes() {
  std::array<CharClass, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) t[c] = CharClass::word;
    else if (c > ' ' && c < 127) t[c] = CharClass::symbol;
    else t[c] = CharClass::separator;
  }
  return t;
}
constexpr std::array<CharClass, 128> kAsciiClass = make_ascii_classes();

CharClass classify(uint32_t cp) {
  if (cp < 128) return kAsciiClass[cp];
  if (cp < 0xA0) return CharClass::separator;  // C1 controls
  if (cp == 0xA0) return CharClass::separator;  // no-break space
  if (cp < 0xC0) return CharClass::symbol;      // Latin-1 signs: ± ² · « § ...
  if (cp == 0xD7 || cp == 0xF7) return CharClass::symbol;  // × ÷
  if (cp >= 0x2000 && cp <= 0x200B) return CharClass::separator;  // typographic spaces
  if (cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF)
    return CharClass::separator;
  if (cp >= 0x2010 && cp <= 0x206F) return CharClass::symbol;  // dashes, quotes, bullets
  if (cp >= 0x2190 && cp <= 0x2BFF) return CharClass::symbol;  // arrows, math operators, technical
  if (cp >= 0x3001 && cp <= 0x303F) return CharClass::symbol;  // CJK punctuation
  if (cp >= 0x3040 && cp <= 0x30FF) return CharClass::cjk;     // hiragana, katakana
  if (cp >= 0x3400 && cp <= 0x4DBF) return CharClass::cjk;     // CJK extension A
  if (cp >= 0x4E00 && cp <= 0x9FFF) return CharClass::cjk;     // CJK unified ideographs
  if (cp >= 0xF900 && cp <= 0xFAFF) return CharClass::cjk;     // CJK compatibility ideographs
  if (cp >= 0xFE30 && cp <= 0xFE4F) return CharClass::symbol;  // CJK compatibility forms
  if ((cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
      (cp >= 0xFF5B && cp <= 0xFF65))
    return CharClass::symbol;  // full-width punctuation
  if (cp >= 0x20000 && cp <= 0x3FFFF) return CharClass::cjk;   // CJK extensions B-H
  return CharClass::word;
}

// Decodes the code point at text[i]; `length` is 1 for an invalid byte (returned as U+FFFF
// with class separator by the caller's check).
uint32_t decode_utf8(std::string_view text, size_t i, size_t& length, bool& valid) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  valid = true;
  if (b0 < 0x80) {
    length = 1;
    return b0;
  }
  size_t n = 0;
  uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) { n = 2; cp = b0 & 0x1F; }
  else if ((b0 & 0xF0) == 0xE0) { n = 3; cp = b0 & 0x0F; }
  else if ((b0 & 0xF8) == 0xF0) { n = 4; cp = b0 & 0x07; }
  else { length = 1; valid = false; return 0; }
  if (i + n > text.size()) { length = 1; valid = false; return 0; }
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) { length = 1; valid = false; return 0; }
    cp = (cp << 6) | (b & 0x3F);
  }
  // overlong forms, surrogates and code points past U+10FFFF are invalid UTF-8 (RFC 3629)
  static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { length = 1; valid = false; return 0; }
  length = n;
  return cp;
}

CharClass class_at(std::string_view text, size_t i, size_t& length) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    length = 1;
    return kAsciiClass[b0];
  }
  bool valid = true;
  const uint32_t cp = decode_utf8(text, i, length, valid);
  return valid ? classify(cp) : CharClass::separator;
}

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

void tokenize(std::string_view text, std::vector<TokenSpan>& tokens) {
  tokens.clear();
  if (text.size() > std::numeric_limits<uint32_t>::max()) text = text.substr(0, std::numeric_limits<uint32_t>::max());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    size_t len = 1;
    const CharClass cls = class_at(text, i, len);
    if (cls == CharClass::word) {
      const size_t begin = i;
      i += len;
      while (i < n) {
        const CharClass next = class_at(text, i, len);
        if (next != CharClass::word) break;
        i += len;
      }
      tokens.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(i), TokenKind::word});
      continue;
    }
    if (cls == CharClass::cjk) tokens.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + len), TokenKind::cjk});
    else if (cls == CharClass::symbol)
      tokens.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + len), TokenKind::symbol});
    i += len;
  }
}

void normalize_for_classifier(std::string_view text, std::string& out) {
  thread_local std::vector<TokenSpan> tokens;
  tokenize(text, tokens);
  out.clear();
  out.reserve(text.size() + tokens.size());
  for (const TokenSpan& t : tokens) {
    if (!out.empty()) out.push_back(' ');
    for (uint32_t k = t.begin; k < t.end; ++k) out.push_back(ascii_lower(text[k]));
  }
}

std::string normalize_for_classifier(std::string_view text) {
  std::string out;
  normalize_for_classifier(text, out);
  return out;
}

void word_hashes(std::string_view text, std::vector<uint64_t>& hashes, std::vector<TokenSpan>* spans) {
  thread_local std::vector<TokenSpan> tokens;
  thread_local std::string lowered;
  tokenize(text, tokens);
  hashes.clear();
  if (spans != nullptr) spans->clear();
  for (const TokenSpan& t : tokens) {
    if (t.kind == TokenKind::symbol) continue;
    lowered.assign(text.data() + t.begin, t.end - t.begin);
    for (char& c : lowered) c = ascii_lower(c);
    hashes.push_back(hash64(lowered));
    if (spans != nullptr) spans->push_back(t);
  }
}

std::string words_text(std::string_view text, const std::vector<TokenSpan>& spans, size_t first, size_t count) {
  std::string out;
  for (size_t k = first; k < first + count && k < spans.size(); ++k) {
    if (!out.empty()) out.push_back(' ');
    for (uint32_t b = spans[k].begin; b < spans[k].end; ++b) out.push_back(ascii_lower(text[b]));
  }
  return out;
}

}  // namespace dsmath::select
