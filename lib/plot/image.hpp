#pragma once
// An RGB raster and the few drawing operations charts need: rectangles, anti-aliased thick
// lines and polylines, and text in the bitmap font (horizontal, or turned a quarter for a
// y-axis label). Pixel (0, 0) is the top-left corner; coordinates are pixel centers at
// integer + 0.5, so a line from (0, 0.5) to (10, 0.5) covers the top row.
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace dsmath::plot {

struct Color {
  uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Color&, const Color&) = default;
};

inline constexpr Color kWhite{255, 255, 255};
inline constexpr Color kBlack{0, 0, 0};

struct Point {
  double x = 0, y = 0;
};

class Image {
 public:
  Image(int width, int height, Color background = kWhite);

  int width() const { return width_; }
  int height() const { return height_; }
  Color at(int x, int y) const;
  // Row-major RGB bytes, 3 per pixel.
  std::span<const uint8_t> rgb() const { return pixels_; }

  void set(int x, int y, Color c);                    // ignored outside the image
  void blend(int x, int y, Color c, double alpha);    // alpha in [0, 1]
  void fill_rect(int x0, int y0, int x1, int y1, Color c);  // [x0, x1) x [y0, y1), clipped
  void draw_rect(int x0, int y0, int x1, int y1, Color c);  // 1-pixel outline of the same box

  // Anti-aliased line `width_px` wide: a pixel's coverage falls off linearly over the last
  // half pixel of its distance to the segment. A polyline is drawn as one shape, so joints are
  // not painted twice.
  void draw_line(Point a, Point b, Color c, double width_px);
  void draw_polyline(std::span<const Point> points, Color c, double width_px);

  // Text with its top-left corner at (x, y), each font pixel drawn as scale x scale pixels.
  void draw_text(int x, int y, std::string_view text, Color c, int scale);
  // The same text turned 90 degrees counter-clockwise (reading upwards), its bounding box's
  // top-left corner at (x, y).
  void draw_text_up(int x, int y, std::string_view text, Color c, int scale);

 private:
  void paint_coverage(const std::vector<std::pair<Point, Point>>& segments, Color c, double width_px);
  int width_, height_;
  std::vector<uint8_t> pixels_;
};

// Size of a line of text in pixels: (width, height).
std::pair<int, int> text_size(std::string_view text, int scale);

}  // namespace dsmath::plot
