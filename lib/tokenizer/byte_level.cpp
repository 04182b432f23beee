#include "tokenizer/byte_level.hpp"

#include "tokenizer/utf8.hpp"

namespace dsmath {

namespace {

struct ByteLevelTables {
  std::array<char32_t, 256> byte_to_char{};
  std::array<int16_t, 512> char_to_byte{};  // every alphabet code point is < U+0144
  ByteLevelTables() {
    char_to_byte.fill(-1);
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      byte_to_char[b] = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + extra++);
      char_to_byte[byte_to_char[b]] = static_cast<int16_t>(b);
    }
  }
};

const ByteLevelTables& tables() {
  static const ByteLevelTables t;
  return t;
}

}  // namespace

char32_t byte_level_char(uint8_t b) { return tables().byte_to_char[b]; }

std::optional<uint8_t> byte_level_byte(char32_t cp) {
  if (cp >= 512) return std::nullopt;
  const int16_t b = tables().char_to_byte[cp];
  if (b < 0) return std::nullopt;
  return static_cast<uint8_t>(b);
}

std::string to_byte_level(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) append_utf8(out, byte_level_char(static_cast<uint8_t>(c)));
  return out;
}

std::optional<std::string> byte_level_token_bytes(std::string_view token) {
  std::string out;
  size_t i = 0;
  while (i < token.size()) {
    const size_t n = utf8_sequence_length(token, i);
    if (n == 0) return std::nullopt;
    const auto b = byte_level_byte(decode_utf8_at(token, i, n));
    if (!b) return std::string(token);
    out.push_back(static_cast<char>(*b));
    i += n;
  }
  return out;
}

}  // namespace dsmath
