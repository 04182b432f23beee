#include "rl/ppo_loss.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "rl/policy_update.hpp"

namespace dsmath::rl {

std::vector<double> kl_penalized_rewards(std::span<const float> logp, std::span<const float> ref_logp, double score,
                                         double kl_coef) {
  DSMATH_CHECK(logp.size() == ref_logp.size(), "{} log-probs, {} reference log-probs", logp.size(), ref_logp.size());
  std::vector<double> r(logp.size());
  for (size_t t = 0; t < r.size(); ++t) r[t] = -kl_coef * (static_cast<double>(logp[t]) - ref_logp[t]);
  if (!r.empty()) r.back() += score;
  return r;
}

GaeResult gae(std::span<const double> rewards, std::span<const float> values, double gamma, double lambda) {
  DSMATH_CHECK(rewards.size() == values.size(), "{} rewards, {} values", rewards.size(), values.size());
  const size_t n = rewards.size();
  GaeResult g{std::vector<double>(n), std::vector<double>(n)};
  double next_value = 0, next_advantage = 0;  // after the last token: terminal
  for (size_t k = n; k-- > 0;) {
    const double delta = rewards[k] + gamma * next_value - values[k];
    next_advantage = delta + gamma * lambda * next_advantage;
    g.advantages[k] = next_advantage;
    g.returns[k] = next_advantage + values[k];
    next_value = values[k];
  }
  return g;
}

TokenLoss ppo_policy_token_loss(double logp, double old_logp, double advantage, double clip) {
  return grpo_token_loss(logp, old_logp, 0.0, advantage, GrpoLossConfig{.beta = 0, .clip_low = clip, .clip_high = clip}, false);
}

ValueTokenLoss ppo_value_token_loss(double value, double old_value, double target, double clip_value) {
  const double clipped_value = std::clamp(value, old_value - clip_value, old_value + clip_value);
  const double unclipped_sq = (value - target) * (value - target), clipped_sq = (clipped_value - target) * (clipped_value - target);
  ValueTokenLoss v;
  v.clipped = clipped_sq > unclipped_sq;
  v.loss = 0.5 * std::max(unclipped_sq, clipped_sq);
  v.dvalue = v.clipped ? 0.0 : value - target;
  return v;
}

std::pair<double, double> whiten_advantages(std::vector<RolloutSample>& samples, Communicator& comm) {
  double sums[3] = {0, 0, 0};  // count, sum, sum of squares
  for (const auto& s : samples)
    for (double a : s.advantages) {
      sums[0] += 1;
      sums[1] += a;
      sums[2] += a * a;
    }
  comm.allreduce_sum(std::span<double>(sums, 3));
  if (sums[0] < 2) return {0.0, 0.0};
  const double mean = sums[1] / sums[0];
  const double var = std::max(0.0, (sums[2] - sums[0] * mean * mean) / (sums[0] - 1));
  const double scale = 1.0 / std::sqrt(var + 1e-8);
  for (auto& s : samples)
    for (double& a : s.advantages) a = (a - mean) * scale;
  return {mean, var};
}

Objective ppo_value_objective(const std::vector<const RolloutSample*>& samples, LossAggregation aggregation, double clip_value,
                              double vf_coef, double global_sequences, double global_tokens, int max_new_tokens,
                              ValueStats& stats) {
  return [=, &stats](const TokenBatch& b, std::span<const float> values, std::span<float> dvalues) {
    double loss = 0;
    for (size_t r = 0; r < samples.size(); ++r) {
      const RolloutSample& s = *samples[r];
      const double weight =
          vf_coef * token_weight(aggregation, static_cast<double>(s.completion.size()), global_sequences, global_tokens, max_new_tokens);
      // V_t sits where completion token t is predicted, as its log-prob does (rollout_batch)
      const size_t base = r * static_cast<size_t>(b.seq) + s.prompt.size() - 1;
      for (size_t j = 0; j < s.completion.size(); ++j) {
        const size_t i = base + j;
        const ValueTokenLoss v = ppo_value_token_loss(values[i], s.old_values[j], s.returns[j], clip_value);
        loss += weight * v.loss;
        dvalues[i] = static_cast<float>(weight * v.dvalue);
        stats.tokens += 1;
        stats.clipped += v.clipped;
      }
    }
    stats.loss += loss;
    return loss;
  };
}

}  // namespace dsmath::rl
