#include "plot/axis.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"

namespace dsmath::plot {

namespace {

// The nice number (1, 2, 5 x 10^k) nearest to x (round) or at least x.
double nice_number(double x, bool round) {
  const double exponent = std::floor(std::log10(x));
  const double fraction = x / std::pow(10.0, exponent);
  double nice = 10;
  if (round) nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * std::pow(10.0, exponent);
}

// Decimals that show multiples of `step` exactly (step = 0.25 -> 2, 0.1 -> 1, 5 -> 0).
int decimals_for(double step) {
  for (int d = 0; d < 12; ++d) {
    const double scaled = step * std::pow(10.0, d);
    if (std::fabs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) return d;
  }
  return 12;
}

std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

AxisTicks nice_ticks(double lo, double hi, int target) {
  DSMATH_CHECK(std::isfinite(lo) && std::isfinite(hi), "axis range [{}, {}]", lo, hi);
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
    const double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  AxisTicks t;
  const double range = nice_number(hi - lo, false);
  t.step = nice_number(range / std::max(1, target - 1), true);
  t.min = std::floor(lo / t.step) * t.step;
  t.max = std::ceil(hi / t.step) * t.step;
  const auto n = static_cast<int>(std::lround((t.max - t.min) / t.step));
  for (int i = 0; i <= n; ++i) {
    double v = t.min + i * t.step;
    if (std::fabs(v) < t.step * 1e-9) v = 0;  // no "-0"
    t.values.push_back(v);
  }
  return t;
}

std::string format_tick(double value, double step) {
  if (value == 0) return "0";
  const double magnitude = std::fabs(value);
  if (step >= 1000 && magnitude >= 1000) {
    static constexpr std::pair<double, const char*> kSuffixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    for (const auto& [scale, suffix] : kSuffixes) {
      if (magnitude >= scale) return fmt::format("{:.{}f}{}", value / scale, decimals_for(step / scale), suffix);
    }
  }
  if (step >= 1) return fmt::format("{:.0f}", value);
  if (step >= 1e-4) return fmt::format("{:.{}f}", value, decimals_for(step));
  // tiny steps (learning rates): mantissa with as many digits as the step needs
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  const double mantissa = value / std::pow(10.0, exponent);
  const int digits = std::clamp(decimals_for(step / std::pow(10.0, exponent)), 0, 3);
  return fmt::format("{}e{}", trim_zeros(fmt::format("{:.{}f}", mantissa, digits)), exponent);
}

std::string format_value(double value) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e4) {
    static constexpr std::pair<double, const char*> kSuffixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    for (const auto& [scale, suffix] : kSuffixes)
      if (magnitude >= scale) return trim_zeros(fmt::format("{:.1f}", value / scale)) + suffix;
  }
  if (magnitude >= 100) return fmt::format("{:.0f}", value);
  if (magnitude >= 1e-3 || value == 0) return trim_zeros(fmt::format("{:.3g}", value));
  return fmt::format("{:.2g}", value);
}

}  // namespace dsmath::plot
