#include "plot/chart_frame.hpp"

#include <algorithm>
#include <array>

#include "core/error.hpp"

namespace dsmath::plot {

namespace {

constexpr Color kAxisColor{60, 60, 60};
constexpr Color kGridColor{225, 225, 225};
constexpr Color kTextColor{30, 30, 30};
constexpr int kPad = 12;

}  // namespace

Point PlotArea::to_pixel(double x, double y) const {
  const double fx = x_max > x_min ? (x - x_min) / (x_max - x_min) : 0.5;
  const double fy = y_max > y_min ? (y - y_min) / (y_max - y_min) : 0.5;
  return {left + fx * (right - left), bottom - fy * (bottom - top)};
}

PlotArea draw_frame(Image& image, const FrameText& text, const AxisTicks& y_ticks, double x_min, double x_max) {
  const int w = image.width(), h = image.height();
  const int line_h = text_size("0", kTextScale).second;
  int title_scale = kTitleScale;
  if (text_size(text.title, title_scale).first > w - 2 * kPad) title_scale = kTextScale;
  const int title_h = text.title.empty() ? 0 : text_size(text.title, title_scale).second + kPad;

  int tick_w = 0;
  std::vector<std::string> labels;
  for (double v : y_ticks.values) {
    labels.push_back(format_tick(v, y_ticks.step));
    tick_w = std::max(tick_w, text_size(labels.back(), kTextScale).first);
  }
  PlotArea area;
  area.left = kPad + (text.y_label.empty() ? 0 : line_h + kPad) + tick_w + 8;
  area.top = kPad + title_h + line_h / 2;
  area.right = w - 2 * kPad;
  area.bottom = h - kPad - (text.x_label.empty() ? 0 : line_h + kPad) - line_h - 10;
  if (area.right - area.left < 40 || area.bottom - area.top < 40)
    fail_hint("use a larger --width/--height", "a {}x{} image leaves no room for the plot area", w, h);
  area.x_min = x_min;
  area.x_max = x_max;
  area.y_min = y_ticks.min;
  area.y_max = y_ticks.max;

  if (!text.title.empty()) {
    const int tw = text_size(text.title, title_scale).first;
    image.draw_text(std::max(kPad, (w - tw) / 2), kPad, text.title, kTextColor, title_scale);
  }
  if (!text.y_label.empty()) {
    const int lw = text_size(text.y_label, kTextScale).first;
    image.draw_text_up(kPad, std::max(area.top, (area.top + area.bottom - lw) / 2), text.y_label, kTextColor, kTextScale);
  }
  if (!text.x_label.empty()) {
    const int lw = text_size(text.x_label, kTextScale).first;
    image.draw_text((area.left + area.right - lw) / 2, h - kPad - line_h, text.x_label, kTextColor, kTextScale);
  }
  for (size_t i = 0; i < y_ticks.values.size(); ++i) {
    const int y = static_cast<int>(area.to_pixel(x_min, y_ticks.values[i]).y);
    if (i > 0 && i + 1 < y_ticks.values.size()) image.fill_rect(area.left + 1, y, area.right - 1, y + 1, kGridColor);
    image.fill_rect(area.left - 5, y, area.left, y + 1, kAxisColor);
    const int lw = text_size(labels[i], kTextScale).first;
    image.draw_text(area.left - 8 - lw, y - line_h / 2, labels[i], kTextColor, kTextScale);
  }
  image.draw_rect(area.left - 1, area.top - 1, area.right + 1, area.bottom + 1, kAxisColor);
  return area;
}

void draw_x_tick(Image& image, const PlotArea& area, double x, const std::string& label) {
  const int px = static_cast<int>(area.to_pixel(x, area.y_min).x);
  image.fill_rect(px, area.bottom, px + 1, area.bottom + 5, kAxisColor);
  const int lw = text_size(label, kTextScale).first;
  image.draw_text(px - lw / 2, area.bottom + 8, label, kTextColor, kTextScale);
}

Color series_color(size_t i) {
  static constexpr std::array<Color, 10> kTableau10{{{31, 119, 180},
                                                     {255, 127, 14},
                                                     {44, 160, 44},
                                                     {214, 39, 40},
                                                     {148, 103, 189},
                                                     {140, 86, 75},
                                                     {227, 119, 194},
                                                     {127, 127, 127},
                                                     {188, 189, 34},
                                                     {23, 190, 207}}};
  return kTableau10[i % kTableau10.size()];
}

void draw_legend(Image& image, const PlotArea& area, const std::vector<std::string>& names, LegendMark mark,
                 const std::vector<Point>& points) {
  if (names.empty()) return;
  const int line_h = text_size("0", kTextScale).second;
  const int row_h = line_h + 8, sample_w = 28;
  int text_w = 0;
  for (const auto& n : names) text_w = std::max(text_w, text_size(n, kTextScale).first);
  const int box_w = 10 + sample_w + 8 + text_w + 10, box_h = 8 + static_cast<int>(names.size()) * row_h;
  // the corner whose box covers the fewest data points
  const std::array<std::pair<int, int>, 4> corners{{{area.right - 8 - box_w, area.top + 8},
                                                    {area.left + 8, area.top + 8},
                                                    {area.right - 8 - box_w, area.bottom - 8 - box_h},
                                                    {area.left + 8, area.bottom - 8 - box_h}}};
  size_t best = 0, best_count = SIZE_MAX;
  for (size_t c = 0; c < corners.size(); ++c) {
    const auto [x0, y0] = corners[c];
    size_t count = 0;
    for (const auto& p : points) count += p.x >= x0 && p.x < x0 + box_w && p.y >= y0 && p.y < y0 + box_h;
    if (count < best_count) {
      best = c;
      best_count = count;
    }
  }
  const auto [x0, y0] = corners[best];
  image.fill_rect(x0, y0, x0 + box_w, y0 + box_h, kWhite);
  image.draw_rect(x0, y0, x0 + box_w, y0 + box_h, kAxisColor);
  for (size_t i = 0; i < names.size(); ++i) {
    const int cy = y0 + 8 + static_cast<int>(i) * row_h + line_h / 2;
    const Color c = series_color(i);
    if (mark == LegendMark::line)
      image.draw_line({x0 + 10.0, cy + 0.5}, {x0 + 10.0 + sample_w, cy + 0.5}, c, 3.0);
    else
      image.fill_rect(x0 + 10, cy - line_h / 2, x0 + 10 + sample_w, cy + line_h / 2, c);
    image.draw_text(x0 + 10 + sample_w + 8, cy - line_h / 2, names[i], kTextColor, kTextScale);
  }
}

}  // namespace dsmath::plot
