#include "plot/png.hpp"

#include <array>
#include <cstdlib>
#include <vector>

#include <zlib.h>

#include "core/error.hpp"
#include "core/files.hpp"

namespace dsmath::plot {

namespace {

void put_u32(std::string& out, uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>(v >> 16);
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

void put_chunk(std::string& out, const char (&type)[5], const std::string& data) {
  put_u32(out, static_cast<uint32_t>(data.size()));
  const size_t type_at = out.size();
  out.append(type, 4);
  out += data;
  const auto* bytes = reinterpret_cast<const Bytef*>(out.data() + type_at);
  put_u32(out, static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0), bytes, static_cast<uInt>(4 + data.size()))));
}

// Filter types of PNG section 9.2 that we use.
enum Filter : uint8_t { kNone = 0, kSub = 1, kUp = 2 };

// The heuristic PNG section 12.8 suggests: the filter whose output, read as signed bytes,
// has the smallest sum of absolute values.
uint64_t cost(const std::vector<uint8_t>& row) {
  uint64_t sum = 0;
  for (uint8_t b : row) sum += static_cast<uint64_t>(std::abs(static_cast<int>(static_cast<int8_t>(b))));
  return sum;
}

}  // namespace

std::string encode_png(const Image& image) {
  const auto width = static_cast<size_t>(image.width()), height = static_cast<size_t>(image.height());
  const size_t stride = width * 3;
  const auto rgb = image.rgb();
  std::vector<uint8_t> raw;
  raw.reserve((stride + 1) * height);
  std::array<std::vector<uint8_t>, 3> candidates;
  for (auto& c : candidates) c.resize(stride);
  for (size_t y = 0; y < height; ++y) {
    const uint8_t* row = rgb.data() + y * stride;
    const uint8_t* above = y > 0 ? row - stride : nullptr;
    for (size_t i = 0; i < stride; ++i) {
      candidates[kNone][i] = row[i];
      candidates[kSub][i] = static_cast<uint8_t>(row[i] - (i >= 3 ? row[i - 3] : 0));
      candidates[kUp][i] = static_cast<uint8_t>(row[i] - (above ? above[i] : 0));
    }
    uint8_t best = kNone;
    uint64_t best_cost = cost(candidates[kNone]);
    for (uint8_t f : {kSub, kUp}) {
      const uint64_t c = cost(candidates[f]);
      if (c < best_cost) {
        best = f;
        best_cost = c;
      }
    }
    raw.push_back(best);
    raw.insert(raw.end(), candidates[best].begin(), candidates[best].end());
  }
  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string idat(compressed_size, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(idat.data()), &compressed_size, raw.data(),
                           static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION);
  DSMATH_CHECK(rc == Z_OK, "zlib compress2 returned {}", rc);
  idat.resize(compressed_size);

  std::string ihdr;
  put_u32(ihdr, static_cast<uint32_t>(width));
  put_u32(ihdr, static_cast<uint32_t>(height));
  ihdr += static_cast<char>(8);  // bit depth
  ihdr += static_cast<char>(2);  // color type: truecolor RGB
  ihdr += static_cast<char>(0);  // compression: deflate
  ihdr += static_cast<char>(0);  // filter method 0 (adaptive, five types)
  ihdr += static_cast<char>(0);  // no interlace

  std::string png("\x89PNG\r\n\x1a\n", 8);
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", idat);
  put_chunk(png, "IEND", "");
  return png;
}

void write_png(const std::filesystem::path& path, const Image& image) { write_file_atomic(path, encode_png(image)); }

}  // namespace dsmath::plot
