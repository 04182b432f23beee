// PNG files parse back with an independent reader (png_decode.hpp): signature, chunk order and
// CRCs, IHDR size, IDAT inflating to exactly height x (1 + 3 x width) bytes, and the pixels.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/files.hpp"
#include "plot/png.hpp"
#include "png_decode.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::plot;

TEST_CASE("a PNG parses back: chunks, CRCs, size and every pixel") {
  for (const auto& [w, h] : {std::pair{1, 1}, std::pair{3, 2}, std::pair{64, 17}, std::pair{300, 200}}) {
    Image image(w, h, Color{10, 20, 30});
    // a gradient and some flat areas, so that every filter gets chosen somewhere
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        if ((x + y) % 3 == 0) image.set(x, y, Color{static_cast<uint8_t>(x * 7), static_cast<uint8_t>(y * 13), 200});
    image.fill_rect(0, 0, w / 2, h / 2, Color{250, 0, 0});
    const std::string png = encode_png(image);
    const auto decoded = test::decode_png(png);
    CHECK(decoded.chunk_types == std::vector<std::string>{"IHDR", "IDAT", "IEND"});
    CHECK(decoded.width == static_cast<uint32_t>(w));
    CHECK(decoded.height == static_cast<uint32_t>(h));
    CHECK(decoded.inflated_bytes == static_cast<size_t>(h) * (1 + 3 * static_cast<size_t>(w)));
    const auto rgb = image.rgb();
    CHECK(std::vector<uint8_t>(rgb.begin(), rgb.end()) == decoded.rgb);
  }
}

TEST_CASE("a corrupted PNG fails its CRC check") {
  std::string png = encode_png(Image(4, 4));
  png[20] ^= 1;  // inside IHDR's data
  CHECK_THROWS_WITH(test::decode_png(png), Catch::Contains("CRC mismatch in IHDR"));
}

TEST_CASE("write_png writes the encoded bytes atomically") {
  const auto dir = test::temp_dir("plot-png");
  Image image(20, 10, Color{1, 2, 3});
  write_png(dir / "a.png", image);
  CHECK(read_file(dir / "a.png") == encode_png(image));
  CHECK_THROWS_AS(Image(0, 10), Error);
}
