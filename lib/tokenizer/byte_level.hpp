#pragma once
// GPT-2's byte-level alphabet (Radford et al. 2019, openai/gpt-2 encoder.py bytes_to_unicode):
// every byte maps to one printable code point, so byte-level BPE vocabularies are written as
// text. Printable Latin-1 bytes map to themselves; the 68 others to U+0100.. in byte order.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace dsmath {

// The code point that stands for byte b in vocab strings (b=' ' -> U+0120 'Ġ').
char32_t byte_level_char(uint8_t b);

// The byte that code point cp stands for, if cp is in the alphabet.
std::optional<uint8_t> byte_level_byte(char32_t cp);

// Raw bytes -> their byte-level text (each byte one code point, UTF-8 encoded).
std::string to_byte_level(std::string_view bytes);

// The bytes the ByteLevel decoder of `tokenizers` emits for one token string: when every code
// point of the token is in the alphabet, the bytes they stand for; otherwise the token's own
// UTF-8 (added tokens such as "<|endoftext|>" or "ü" that were never byte-level encoded).
// Invalid UTF-8 in `token` yields nullopt.
std::optional<std::string> byte_level_token_bytes(std::string_view token);

}  // namespace dsmath
