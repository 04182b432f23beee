#pragma once
// What line and bar charts share: the layout (title on top, y ticks and label on the left,
// x ticks and label below, a boxed plot area), the y axis with its grid, the series colors,
// and the legend.
#include <string>
#include <vector>

#include "plot/axis.hpp"
#include "plot/image.hpp"

namespace dsmath::plot {

// The plot area in pixels and the data range it shows.
struct PlotArea {
  int left = 0, top = 0, right = 0, bottom = 0;  // pixel box [left, right) x [top, bottom)
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  Point to_pixel(double x, double y) const;
};

struct FrameText {
  std::string title, x_label, y_label;
};

// Lays out a width x height chart for these y ticks, draws the title, the axis labels, the y
// tick labels with a light grid line each, and the plot box; returns the plot area with the
// given x range. X ticks are the caller's (numbers for lines, names for bars).
PlotArea draw_frame(Image& image, const FrameText& text, const AxisTicks& y_ticks, double x_min, double x_max);

// A tick mark and its label below the plot area at data x.
void draw_x_tick(Image& image, const PlotArea& area, double x, const std::string& label);

// Distinct colors for series i = 0, 1, ... (Tableau 10, then repeated).
Color series_color(size_t i);

enum class LegendMark { line, box };
// A legend box in the corner of the plot area that covers the fewest of `points` (pixels).
void draw_legend(Image& image, const PlotArea& area, const std::vector<std::string>& names, LegendMark mark,
                 const std::vector<Point>& points);

inline constexpr int kTextScale = 2;   // ticks, labels, legend
inline constexpr int kTitleScale = 3;  // title (2 when it would not fit)

}  // namespace dsmath::plot
