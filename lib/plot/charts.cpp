#include "plot/charts.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace dsmath::plot {

namespace {

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

constexpr double kLineWidthPx = 2.5;

}  // namespace

Chart render_line_chart(const LineChartSpec& spec) {
  Range xs, ys;
  for (const auto& s : spec.series)
    for (const auto& p : s.points)
      if (std::isfinite(p.x) && std::isfinite(p.y)) {
        xs.add(p.x);
        ys.add(p.y);
      }
  if (xs.empty()) xs = {0, 1};
  if (ys.empty()) ys = {0, 1};
  const AxisTicks x_ticks = nice_ticks(xs.lo, xs.hi, 8);
  const AxisTicks y_ticks = nice_ticks(ys.lo, ys.hi, 7);
  Chart chart{Image(spec.width, spec.height), {}};
  chart.area = draw_frame(chart.image, spec.text, y_ticks, x_ticks.min, x_ticks.max);
  for (double x : x_ticks.values) draw_x_tick(chart.image, chart.area, x, format_tick(x, x_ticks.step));

  std::vector<Point> all_pixels;
  for (size_t i = 0; i < spec.series.size(); ++i) {
    // a run of finite points is one polyline; a lone point is a dot
    std::vector<Point> run;
    auto flush = [&] {
      if (run.size() == 1) chart.image.draw_polyline(run, series_color(i), 3 * kLineWidthPx);
      else if (!run.empty()) chart.image.draw_polyline(run, series_color(i), kLineWidthPx);
      run.clear();
    };
    for (const auto& p : spec.series[i].points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
        flush();
        continue;
      }
      run.push_back(chart.area.to_pixel(p.x, p.y));
      all_pixels.push_back(run.back());
    }
    flush();
  }
  std::vector<std::string> names;
  for (const auto& s : spec.series) names.push_back(s.name);
  draw_legend(chart.image, chart.area, names, LegendMark::line, all_pixels);
  return chart;
}

Chart render_bar_chart(const BarChartSpec& spec) {
  DSMATH_CHECK(spec.values.size() == spec.groups.size(), "{} value rows for {} groups", spec.values.size(),
               spec.groups.size());
  Range ys;
  ys.add(0.0);  // bars grow from zero
  for (const auto& row : spec.values) {
    DSMATH_CHECK(row.size() == spec.series.size(), "{} values for {} series", row.size(), spec.series.size());
    for (double v : row) ys.add(v);
  }
  // headroom for the value printed above the tallest bar
  const double span = ys.hi - ys.lo;
  const AxisTicks y_ticks = nice_ticks(ys.lo, ys.hi + (ys.hi > 0 ? 0.08 * span : 0.0), 6);
  Chart chart{Image(spec.width, spec.height), {}};
  const double groups = static_cast<double>(std::max<size_t>(spec.groups.size(), 1));
  chart.area = draw_frame(chart.image, spec.text, y_ticks, -0.5, groups - 0.5);
  for (size_t g = 0; g < spec.groups.size(); ++g) draw_x_tick(chart.image, chart.area, static_cast<double>(g), spec.groups[g]);

  const double bar_units = 0.8 / static_cast<double>(std::max<size_t>(spec.series.size(), 1));
  std::vector<Point> tops;
  for (size_t g = 0; g < spec.groups.size(); ++g) {
    for (size_t s = 0; s < spec.series.size(); ++s) {
      const double v = spec.values[g][s];
      if (!std::isfinite(v)) continue;
      const double x0 = static_cast<double>(g) - 0.4 + static_cast<double>(s) * bar_units;
      const Point a = chart.area.to_pixel(x0, 0.0), b = chart.area.to_pixel(x0 + bar_units, v);
      const int left = static_cast<int>(std::lround(a.x)) + 1, right = static_cast<int>(std::lround(b.x)) - 1;
      const int top = static_cast<int>(std::lround(std::min(a.y, b.y))), bottom = static_cast<int>(std::lround(std::max(a.y, b.y)));
      chart.image.fill_rect(left, top, right, std::max(bottom, top + 1), series_color(s));
      const std::string label = format_value(v);
      int scale = kTextScale;
      if (text_size(label, scale).first > right - left + 8) scale = 1;
      const auto [lw, lh] = text_size(label, scale);
      const int label_y = v >= 0 ? top - lh - 4 : bottom + 4;
      chart.image.draw_text((left + right - lw) / 2, label_y, label, kBlack, scale);
      tops.push_back({(left + right) / 2.0, static_cast<double>(label_y)});
      for (int y = top; y < bottom; y += 4) tops.push_back({(left + right) / 2.0, static_cast<double>(y)});
    }
  }
  if (spec.series.size() > 1) draw_legend(chart.image, chart.area, spec.series, LegendMark::box, tops);
  return chart;
}

}  // namespace dsmath::plot
