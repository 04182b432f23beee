#include "tokenizer/utf8.hpp"

namespace dsmath {

namespace {

// Expected total length and the allowed range of the second byte for a lead byte
// (Unicode Table 3-7, "Well-Formed UTF-8 Byte Sequences"); length 0 = not a lead byte.
struct LeadInfo {
  uint8_t length;
  uint8_t second_lo;
  uint8_t second_hi;
};

constexpr LeadInfo lead_info(uint8_t b) {
  if (b < 0x80) return {1, 0, 0};
  if (b < 0xC2) return {0, 0, 0};
  if (b < 0xE0) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b < 0xF0) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b < 0xF4) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

inline bool is_continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Number of bytes at s[i] that belong to the (possibly truncated) sequence: the full length
// when well-formed, otherwise the maximal subpart (at least 1).
size_t prefix_length(std::string_view s, size_t i, bool& well_formed) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  const LeadInfo info = lead_info(b0);
  well_formed = false;
  if (info.length == 0) return 1;
  if (info.length == 1) {
    well_formed = true;
    return 1;
  }
  if (i + 1 >= s.size()) return 1;
  const auto b1 = static_cast<uint8_t>(s[i + 1]);
  if (b1 < info.second_lo || b1 > info.second_hi) return 1;
  size_t n = 2;
  while (n < info.length) {
    if (i + n >= s.size() || !is_continuation(static_cast<uint8_t>(s[i + n]))) return n;
    ++n;
  }
  well_formed = true;
  return n;
}

}  // namespace

size_t utf8_sequence_length(std::string_view s, size_t i) {
  bool ok = false;
  const size_t n = prefix_length(s, i, ok);
  return ok ? n : 0;
}

size_t utf8_unfinished_tail(std::string_view s) {
  for (size_t available = 1; available <= 3 && available <= s.size(); ++available) {
    const size_t start = s.size() - available;
    const auto b = static_cast<uint8_t>(s[start]);
    if (is_continuation(b)) continue;
    const LeadInfo info = lead_info(b);
    if (info.length <= available) return 0;  // ASCII, not a lead byte, or a finished sequence
    bool well_formed = false;
    return prefix_length(s, start, well_formed) == available ? available : 0;
  }
  return 0;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    // ASCII fast path, 8 bytes at a time
    while (i + 8 <= n) {
      uint64_t w;
      __builtin_memcpy(&w, s.data() + i, 8);
      if ((w & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t len = utf8_sequence_length(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string repair_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  size_t i = 0;
  while (i < s.size()) {
    bool ok = false;
    const size_t n = prefix_length(s, i, ok);
    if (ok)
      out.append(s.data() + i, n);
    else
      out.append(kReplacementCharUtf8);
    i += n;
  }
  return out;
}

char32_t decode_utf8_at(std::string_view s, size_t i, size_t n) {
  const auto b = [&](size_t k) { return static_cast<char32_t>(static_cast<uint8_t>(s[i + k])); };
  switch (n) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_unicode_whitespace(char32_t cp) {
  switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

}  // namespace dsmath
