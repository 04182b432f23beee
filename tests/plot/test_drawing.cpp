// Drawing: lines land where they should and nowhere else, text is the font's pictures, and
// the axis helpers give the ticks and labels worked out by hand below.
#include <catch2/catch.hpp>

#include <set>

#include "plot/axis.hpp"
#include "plot/bitmap_font.hpp"
#include "plot/image.hpp"

using namespace dsmath;
using namespace dsmath::plot;

namespace {

constexpr Color kRed{255, 0, 0};

size_t count_color(const Image& image, Color c) {
  size_t n = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) n += image.at(x, y) == c;
  return n;
}

}  // namespace

TEST_CASE("a thick line covers the pixels on it and leaves far pixels alone") {
  Image image(100, 60);
  // horizontal, 3 px wide, centered on pixel row 20 (center y = 20.5)
  image.draw_line({10.5, 20.5}, {80.5, 20.5}, kRed, 3.0);
  for (int x = 10; x <= 80; ++x) {
    CHECK(image.at(x, 19) == kRed);
    CHECK(image.at(x, 20) == kRed);
    CHECK(image.at(x, 21) == kRed);
    CHECK(image.at(x, 23) == kWhite);
    CHECK(image.at(x, 17) == kWhite);
  }
  CHECK(image.at(5, 20) == kWhite);
  CHECK(image.at(86, 20) == kWhite);
  // a diagonal from (0,0) to (59,59): every pixel center on it is fully covered
  Image diagonal(60, 60);
  diagonal.draw_line({0.5, 0.5}, {59.5, 59.5}, kRed, 2.0);
  for (int i = 0; i < 60; ++i) CHECK(diagonal.at(i, i) == kRed);
  CHECK(diagonal.at(50, 10) == kWhite);
  // edges are blended, not just on/off
  bool partial = false;
  for (int i = 1; i < 59; ++i) {
    const Color c = diagonal.at(i + 1, i);
    partial = partial || (c != kRed && c != kWhite);
  }
  CHECK(partial);
}

TEST_CASE("a polyline blends its joints once") {
  Image image(40, 40);
  const std::vector<Point> points{{5.5, 5.5}, {20.5, 20.5}, {35.5, 5.5}};
  image.draw_polyline(points, Color{0, 0, 200}, 4.0);
  Image single(40, 40);
  single.draw_line(points[0], points[1], Color{0, 0, 200}, 4.0);
  // below the joint both segments half cover pixel (20, 22) (distance 2 from the joint, half
  // width 2): one blend at 0.5, as on a single segment, not a second blend on top
  CHECK(image.at(20, 22) == single.at(20, 22));
  CHECK(image.at(20, 22) == Color{128, 128, 228});
  CHECK(image.at(20, 20) == Color{0, 0, 200});
}

TEST_CASE("rectangles are clipped to the image") {
  Image image(10, 10);
  image.fill_rect(-5, -5, 3, 2, kRed);
  CHECK(count_color(image, kRed) == 6);
  image.draw_rect(0, 0, 10, 10, kBlack);
  CHECK(image.at(0, 5) == kBlack);
  CHECK(image.at(9, 9) == kBlack);
  CHECK(image.at(5, 5) == kWhite);
}

TEST_CASE("text is drawn from the font pictures") {
  // 'L' is a vertical bar at column 0 (rows 0-6) and a foot on row 6
  const auto& l = glyph('L');
  CHECK(l[0] == 0b10000);
  CHECK(l[6] == 0b11111);
  CHECK(l[7] == 0);
  Image image(30, 20);
  image.draw_text(2, 3, "L", kBlack, 2);
  CHECK(image.at(2, 3) == kBlack);    // top of the bar
  CHECK(image.at(3, 16) == kBlack);   // bottom-left, scaled 2x: rows 12-13 below y=3
  CHECK(image.at(11, 16) == kBlack);  // right end of the foot (x 2 + 2*4 .. +1)
  CHECK(image.at(4, 3) == kWhite);    // right of the bar's top
  CHECK(count_color(image, kBlack) == 4 * (7 + 4));
  // turned upwards, the bar of 'L' lies along the bottom row and its foot at the left
  Image up(20, 20);
  up.draw_text_up(0, 0, "L", kBlack, 1);
  CHECK(up.at(0, 5) == kBlack);  // font (col 0, row 0) -> (row 0, length-1-col) = (0, 5)
  CHECK(up.at(6, 5) == kBlack);  // font (col 0, row 6)
  CHECK(up.at(6, 1) == kBlack);  // font (col 4, row 6): the foot's tip
  CHECK(up.at(0, 1) == kWhite);
  CHECK(text_size("abc", 2) == std::pair{34, 16});
}

TEST_CASE("every printable character has its own glyph; others print as '?'") {
  std::set<std::array<uint8_t, kGlyphHeight>> seen;
  for (char c = 33; c < 127; ++c) {
    INFO(c);
    CHECK(seen.insert(glyph(c)).second);
    CHECK(glyph(c) != glyph(' '));
  }
  CHECK(glyph('\x01') == glyph('?'));
  CHECK(glyph(static_cast<char>(0xC3)) == glyph('?'));
}

TEST_CASE("nice ticks are 1, 2 or 5 times a power of ten and cover the data") {
  auto t = nice_ticks(0, 7.3, 6);  // range 10 -> step 2, 0..8
  CHECK(t.step == Approx(2));
  CHECK(t.min == 0);
  CHECK(t.max == Approx(8));
  CHECK(t.values.size() == 5);
  t = nice_ticks(1.52, 6.4, 7);  // range 5 -> step 1, 1..7
  CHECK(t.step == Approx(1));
  CHECK(t.min == Approx(1));
  CHECK(t.max == Approx(7));
  t = nice_ticks(0, 0.003, 7);  // learning rates: range 0.005, step 0.001
  CHECK(t.step == Approx(0.001));
  CHECK(t.max == Approx(0.003));
  t = nice_ticks(-0.3, 0.2, 6);
  CHECK(t.min == Approx(-0.3));
  CHECK(std::find(t.values.begin(), t.values.end(), 0.0) != t.values.end());  // exactly 0, no "-0"
  t = nice_ticks(5, 5);  // a constant series still gets a range
  CHECK(t.min < 5);
  CHECK(t.max > 5);
}

TEST_CASE("tick and value labels") {
  CHECK(format_tick(0, 0.5) == "0");
  CHECK(format_tick(200, 50) == "200");
  CHECK(format_tick(0.25, 0.05) == "0.25");
  CHECK(format_tick(0.003, 0.0005) == "0.0030");
  CHECK(format_tick(1.5e6, 5e5) == "1.5M");
  CHECK(format_tick(12000, 2000) == "12k");
  CHECK(format_tick(3e-5, 1e-5) == "3e-5");
  CHECK(format_tick(2.5e-5, 5e-6) == "2.5e-5");
  CHECK(format_tick(-4, 2) == "-4");
  CHECK(format_value(0.4267) == "0.427");
  CHECK(format_value(0.5) == "0.5");
  CHECK(format_value(12.54) == "12.5");
  CHECK(format_value(123.4) == "123");
  CHECK(format_value(45678) == "45.7k");
  CHECK(format_value(0) == "0");
}
