#pragma once
// Axis ranges and tick labels: "nice numbers" (Heckbert, "Nice Numbers for Graph Labels",
// Graphics Gems, 1990): ticks every 1, 2 or 5 x 10^k, the range widened to whole ticks.
#include <string>
#include <vector>

namespace dsmath::plot {

struct AxisTicks {
  double min = 0, max = 1;  // the axis range: the first and last tick
  double step = 1;
  std::vector<double> values;
};

// Ticks covering [lo, hi] in about `target` steps. lo == hi (a constant series) gets a range
// around the value; non-finite bounds are a bug in the caller.
AxisTicks nice_ticks(double lo, double hi, int target = 6);

// A tick label precise enough to tell ticks `step` apart and no more: "200", "0.25",
// "1.5k", "3.2M", "2e-4".
std::string format_tick(double value, double step);

// A value label of any size with about 3 significant digits ("0.427", "12.5", "1.2k"), for
// bar tops and legends.
std::string format_value(double value);

}  // namespace dsmath::plot
