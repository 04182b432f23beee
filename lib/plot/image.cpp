#include "plot/image.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "plot/bitmap_font.hpp"

namespace dsmath::plot {

Image::Image(int width, int height, Color background) : width_(width), height_(height) {
  if (width < 1 || height < 1 || width > 16384 || height > 16384)
    fail_hint("use a width and height between 1 and 16384 pixels", "image size {}x{} is out of range", width, height);
  pixels_.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  for (size_t i = 0; i < pixels_.size(); i += 3) {
    pixels_[i] = background.r;
    pixels_[i + 1] = background.g;
    pixels_[i + 2] = background.b;
  }
}

Color Image::at(int x, int y) const {
  DSMATH_CHECK(x >= 0 && y >= 0 && x < width_ && y < height_, "pixel ({}, {}) outside {}x{}", x, y, width_, height_);
  const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
  return {pixels_[i], pixels_[i + 1], pixels_[i + 2]};
}

void Image::set(int x, int y, Color c) { blend(x, y, c, 1.0); }

void Image::blend(int x, int y, Color c, double alpha) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_ || alpha <= 0) return;
  alpha = std::min(alpha, 1.0);
  const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
  auto mix = [alpha](uint8_t under, uint8_t over) {
    return static_cast<uint8_t>(std::lround(under + (static_cast<double>(over) - under) * alpha));
  };
  pixels_[i] = mix(pixels_[i], c.r);
  pixels_[i + 1] = mix(pixels_[i + 1], c.g);
  pixels_[i + 2] = mix(pixels_[i + 2], c.b);
}

void Image::fill_rect(int x0, int y0, int x1, int y1, Color c) {
  x0 = std::max(x0, 0);
  y0 = std::max(y0, 0);
  x1 = std::min(x1, width_);
  y1 = std::min(y1, height_);
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) set(x, y, c);
}

void Image::draw_rect(int x0, int y0, int x1, int y1, Color c) {
  fill_rect(x0, y0, x1, y0 + 1, c);
  fill_rect(x0, y1 - 1, x1, y1, c);
  fill_rect(x0, y0, x0 + 1, y1, c);
  fill_rect(x1 - 1, y0, x1, y1, c);
}

namespace {

double distance_to_segment(Point p, Point a, Point b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double length2 = dx * dx + dy * dy;
  double t = length2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return std::sqrt(ex * ex + ey * ey);
}

}  // namespace

void Image::paint_coverage(const std::vector<std::pair<Point, Point>>& segments, Color c, double width_px) {
  // Coverage of the whole shape first (the most any segment gives a pixel), then one blend per
  // pixel: overlapping segments at a joint do not darken it.
  const double half = width_px / 2.0;
  const double reach = half + 1.0;
  int bx0 = width_, by0 = height_, bx1 = -1, by1 = -1;
  for (const auto& [a, b] : segments) {
    if (!std::isfinite(a.x) || !std::isfinite(a.y) || !std::isfinite(b.x) || !std::isfinite(b.y)) continue;
    bx0 = std::min(bx0, static_cast<int>(std::floor(std::min(a.x, b.x) - reach)));
    by0 = std::min(by0, static_cast<int>(std::floor(std::min(a.y, b.y) - reach)));
    bx1 = std::max(bx1, static_cast<int>(std::ceil(std::max(a.x, b.x) + reach)));
    by1 = std::max(by1, static_cast<int>(std::ceil(std::max(a.y, b.y) + reach)));
  }
  bx0 = std::max(bx0, 0);
  by0 = std::max(by0, 0);
  bx1 = std::min(bx1, width_ - 1);
  by1 = std::min(by1, height_ - 1);
  if (bx0 > bx1 || by0 > by1) return;
  const int w = bx1 - bx0 + 1, h = by1 - by0 + 1;
  std::vector<float> coverage(static_cast<size_t>(w) * static_cast<size_t>(h), 0.0f);
  for (const auto& [a, b] : segments) {
    if (!std::isfinite(a.x) || !std::isfinite(a.y) || !std::isfinite(b.x) || !std::isfinite(b.y)) continue;
    const int x0 = std::max(bx0, static_cast<int>(std::floor(std::min(a.x, b.x) - reach)));
    const int y0 = std::max(by0, static_cast<int>(std::floor(std::min(a.y, b.y) - reach)));
    const int x1 = std::min(bx1, static_cast<int>(std::ceil(std::max(a.x, b.x) + reach)));
    const int y1 = std::min(by1, static_cast<int>(std::ceil(std::max(a.y, b.y) + reach)));
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        const double d = distance_to_segment({x + 0.5, y + 0.5}, a, b);
        const auto cov = static_cast<float>(std::clamp(half + 0.5 - d, 0.0, 1.0));
        float& cell = coverage[static_cast<size_t>(y - by0) * static_cast<size_t>(w) + static_cast<size_t>(x - bx0)];
        cell = std::max(cell, cov);
      }
    }
  }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) blend(bx0 + x, by0 + y, c, coverage[static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)]);
}

void Image::draw_line(Point a, Point b, Color c, double width_px) { paint_coverage({{a, b}}, c, width_px); }

void Image::draw_polyline(std::span<const Point> points, Color c, double width_px) {
  std::vector<std::pair<Point, Point>> segments;
  if (points.size() == 1) segments.emplace_back(points[0], points[0]);
  for (size_t i = 1; i < points.size(); ++i) segments.emplace_back(points[i - 1], points[i]);
  paint_coverage(segments, c, width_px);
}

void Image::draw_text(int x, int y, std::string_view text, Color c, int scale) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto& rows = glyph(text[i]);
    const int gx = x + static_cast<int>(i) * kGlyphAdvance * scale;
    for (int row = 0; row < kGlyphHeight; ++row)
      for (int col = 0; col < kGlyphWidth; ++col)
        if (rows[static_cast<size_t>(row)] & (1u << (kGlyphWidth - 1 - col)))
          fill_rect(gx + col * scale, y + row * scale, gx + (col + 1) * scale, y + (row + 1) * scale, c);
  }
}

void Image::draw_text_up(int x, int y, std::string_view text, Color c, int scale) {
  // Turning counter-clockwise maps glyph (col, row) of a left-to-right line at offset u to
  // (row, length - u - col): the first letter ends up at the bottom.
  const int length = static_cast<int>(text.size()) * kGlyphAdvance;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto& rows = glyph(text[i]);
    const int u0 = static_cast<int>(i) * kGlyphAdvance;
    for (int row = 0; row < kGlyphHeight; ++row)
      for (int col = 0; col < kGlyphWidth; ++col)
        if (rows[static_cast<size_t>(row)] & (1u << (kGlyphWidth - 1 - col))) {
          const int px = x + row * scale, py = y + (length - 1 - (u0 + col)) * scale;
          fill_rect(px, py, px + scale, py + scale, c);
        }
  }
}

std::pair<int, int> text_size(std::string_view text, int scale) {
  if (text.empty()) return {0, kGlyphHeight * scale};
  return {(static_cast<int>(text.size()) * kGlyphAdvance - 1) * scale, kGlyphHeight * scale};
}

}  // namespace dsmath::plot
