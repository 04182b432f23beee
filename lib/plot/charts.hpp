#pragma once
// The two chart kinds of `dsmath plot`: lines (a metric over steps, several runs overlaid)
// and grouped bars (a metric per stage, several metrics side by side).
#include <string>
#include <vector>

#include "plot/chart_frame.hpp"
#include "plot/image.hpp"

namespace dsmath::plot {

struct Series {
  std::string name;
  std::vector<Point> points;  // data coordinates in x order; a non-finite y breaks the line
};

struct LineChartSpec {
  FrameText text;
  std::vector<Series> series;
  int width = 960, height = 600;
};

struct BarChartSpec {
  FrameText text;
  std::vector<std::string> groups;        // along x, e.g. stages
  std::vector<std::string> series;        // bars within a group, e.g. metrics
  std::vector<std::vector<double>> values;  // [group][series]; NaN where there is no bar
  int width = 960, height = 600;
};

// The image and where its plot area maps data, so callers (and tests) can find a point.
struct Chart {
  Image image;
  PlotArea area;
};

Chart render_line_chart(const LineChartSpec& spec);
Chart render_bar_chart(const BarChartSpec& spec);

}  // namespace dsmath::plot
