#pragma once
// PNG encoding (ISO/IEC 15948, W3C PNG 2nd edition): the 8-byte signature, an IHDR chunk
// (8-bit truecolor RGB, no interlace), one IDAT chunk holding the zlib stream of the
// scanlines, each prefixed with its filter byte, and IEND. Every chunk is length, type, data,
// CRC-32 of type and data (zlib's crc32). Scanlines use the Up filter where it compresses
// better than None, which it does on the flat areas of a chart.
#include <filesystem>
#include <string>

#include "plot/image.hpp"

namespace dsmath::plot {

std::string encode_png(const Image& image);
// Atomic write (core/files.hpp): the PNG appears whole or not at all.
void write_png(const std::filesystem::path& path, const Image& image);

}  // namespace dsmath::plot
