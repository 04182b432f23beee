#include "rl/advantages.hpp"

#include <cmath>

#include "core/error.hpp"

namespace dsmath::rl {

std::pair<double, double> mean_and_std(std::span<const double> v, bool bessel) {
  if (v.empty()) return {0.0, 0.0};
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  if (v.size() < 2) return {mean, 0.0};
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(bessel ? v.size() - 1 : v.size()))};
}

std::vector<double> outcome_advantages(std::span<const double> r, const AdvantageConfig& c) {
  std::vector<double> a(r.size());
  if (r.size() == 1) {
    a[0] = r[0];
    return a;
  }
  const auto [mean, std] = mean_and_std(r, c.bessel);
  const double scale = c.scale ? std + c.eps : 1.0;
  for (size_t i = 0; i < r.size(); ++i) a[i] = (r[i] - mean) / scale;
  return a;
}

std::vector<double> online_rft_coefficients(const std::vector<bool>& correct) {
  std::vector<double> a(correct.size());
  for (size_t i = 0; i < correct.size(); ++i) a[i] = correct[i] ? 1.0 : 0.0;
  return a;
}

std::vector<std::vector<double>> process_advantages(const std::vector<std::vector<double>>& step_rewards,
                                                    const std::vector<std::vector<int>>& step_ends,
                                                    const std::vector<int>& n_tokens, const AdvantageConfig& c) {
  DSMATH_CHECK(step_rewards.size() == step_ends.size() && step_rewards.size() == n_tokens.size(), "group sizes differ");
  std::vector<double> all;
  for (const auto& s : step_rewards) all.insert(all.end(), s.begin(), s.end());
  const bool single = step_rewards.size() == 1;
  const auto [mean, std] = mean_and_std(all, c.bessel);
  std::vector<std::vector<double>> out(step_rewards.size());
  for (size_t i = 0; i < step_rewards.size(); ++i) {
    DSMATH_CHECK(step_rewards[i].size() == step_ends[i].size(), "output {}: {} rewards, {} step ends", i,
                 step_rewards[i].size(), step_ends[i].size());
    std::vector<double> normalized(step_rewards[i].size());
    for (size_t k = 0; k < normalized.size(); ++k)
      normalized[k] = single ? step_rewards[i][k] : (step_rewards[i][k] - mean) / (c.scale ? std + c.eps : 1.0);
    out[i].assign(static_cast<size_t>(n_tokens[i]), 0.0);
    for (int t = 0; t < n_tokens[i]; ++t)
      for (size_t k = 0; k < normalized.size(); ++k)
        if (step_ends[i][k] >= t) out[i][static_cast<size_t>(t)] += normalized[k];
  }
  return out;
}

}  // namespace dsmath::rl
