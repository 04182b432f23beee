#pragma once
// A PNG reader for the tests, written from the specification (W3C PNG 2nd edition): checks
// the signature and every chunk's CRC (zlib's crc32 over type and data), reads IHDR, inflates
// the concatenated IDAT data and undoes the five scanline filters (section 9). Only what
// encode_png may write is accepted: 8-bit RGB, no interlace.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <zlib.h>

namespace dsmath::test {

struct DecodedPng {
  uint32_t width = 0, height = 0;
  std::vector<std::string> chunk_types;  // in file order
  size_t inflated_bytes = 0;             // scanlines with their filter bytes
  std::vector<uint8_t> rgb;              // unfiltered pixels, row-major
};

inline uint32_t read_u32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) | (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) | uint32_t{static_cast<uint8_t>(s[at + 3])};
}

inline DecodedPng decode_png(const std::string& png) {
  auto fail = [](const std::string& why) -> void { throw std::runtime_error("png: " + why); };
  if (png.substr(0, 8) != std::string("\x89PNG\r\n\x1a\n", 8)) fail("bad signature");
  DecodedPng out;
  std::string idat;
  size_t at = 8;
  uint8_t bit_depth = 0, color_type = 0, interlace = 0;
  while (at < png.size()) {
    if (at + 12 > png.size()) fail("truncated chunk header");
    const uint32_t length = read_u32(png, at);
    if (at + 12 + length > png.size()) fail("truncated chunk");
    const std::string type = png.substr(at + 4, 4);
    const std::string data = png.substr(at + 8, length);
    const uint32_t crc = read_u32(png, at + 8 + length);
    const auto expected = static_cast<uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(png.data() + at + 4), static_cast<uInt>(4 + length)));
    if (crc != expected) fail("CRC mismatch in " + type);
    out.chunk_types.push_back(type);
    if (type == "IHDR") {
      if (length != 13) fail("IHDR length");
      out.width = read_u32(data, 0);
      out.height = read_u32(data, 4);
      bit_depth = static_cast<uint8_t>(data[8]);
      color_type = static_cast<uint8_t>(data[9]);
      interlace = static_cast<uint8_t>(data[12]);
    } else if (type == "IDAT") {
      idat += data;
    }
    at += 12 + length;
  }
  if (bit_depth != 8 || color_type != 2 || interlace != 0) fail("not 8-bit RGB without interlace");
  const size_t stride = size_t{out.width} * 3;
  std::vector<uint8_t> raw((stride + 1) * out.height);
  uLongf raw_size = static_cast<uLongf>(raw.size());
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), static_cast<uLong>(idat.size())) !=
      Z_OK)
    fail("IDAT does not inflate to the scanline size");
  out.inflated_bytes = raw_size;
  out.rgb.resize(stride * out.height);
  for (size_t y = 0; y < out.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    uint8_t* row = &out.rgb[y * stride];
    const uint8_t* up = y > 0 ? row - stride : nullptr;
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= 3 ? row[i - 3] : 0, b = up ? up[i] : 0, c = (up && i >= 3) ? up[i - 3] : 0;
      int predictor = 0;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default: fail("unknown filter type " + std::to_string(filter));
      }
      row[i] = static_cast<uint8_t>(in[i] + predictor);
    }
  }
  return out;
}

}  // namespace dsmath::test
