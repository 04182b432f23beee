#pragma once
// Central finite differences for gradient tests: d f / d x_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h.
// Comparisons use the relative error of whole vectors, ||a - n|| / max(||a||, ||n||), which is
// robust to the fp32 noise of individual entries.
#include <cmath>
#include <functional>
#include <span>
#include <vector>

#include "core/rng.hpp"

namespace dsmath::test {

inline std::vector<float> random_vector(size_t n, uint64_t seed, float scale = 1.0f) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.normal()) * scale;
  return v;
}

// Numerical gradient of loss() w.r.t. the entries `indices` of x (all when empty).
inline std::vector<double> numerical_gradient(std::span<float> x, const std::function<double()>& loss, double h,
                                              const std::vector<size_t>& indices = {}) {
  std::vector<double> g;
  auto one = [&](size_t i) {
    const float saved = x[i];
    x[i] = static_cast<float>(saved + h);
    const double plus = loss();
    x[i] = static_cast<float>(saved - h);
    const double minus = loss();
    x[i] = saved;
    // divide by the step actually taken (fp32 rounding of saved +- h)
    const double step = static_cast<double>(static_cast<float>(saved + h)) - static_cast<double>(static_cast<float>(saved - h));
    g.push_back((plus - minus) / step);
  };
  if (indices.empty()) {
    for (size_t i = 0; i < x.size(); ++i) one(i);
  } else {
    for (size_t i : indices) one(i);
  }
  return g;
}

inline double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  double diff = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (a[i] - b[i]) * (a[i] - b[i]);
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const double denom = std::max(std::sqrt(na), std::sqrt(nb));
  return denom == 0 ? 0 : std::sqrt(diff) / denom;
}

template <class T>
std::vector<double> pick(std::span<const T> v, const std::vector<size_t>& indices = {}) {
  std::vector<double> out;
  if (indices.empty()) {
    for (const T& x : v) out.push_back(static_cast<double>(x));
  } else {
    for (size_t i : indices) out.push_back(static_cast<double>(v[i]));
  }
  return out;
}

// sum_i w_i * y_i in double: a random linear functional makes every output matter.
inline double weighted_sum(std::span<const float> y, std::span<const float> w) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * w[i];
  return s;
}

}  // namespace dsmath::test
