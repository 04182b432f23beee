#include "rl/dpo_loss.hpp"

#include <cmath>

#include "core/error.hpp"

namespace dsmath::rl {

namespace {
// log sigmoid(z) and sigmoid(-z), stable for large |z|
double log_sigmoid(double z) { return z >= 0 ? -std::log1p(std::exp(-z)) : z - std::log1p(std::exp(z)); }
double sigmoid(double z) { return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z)); }
}  // namespace

DpoPairLoss dpo_pair_loss(double chosen_logp, double rejected_logp, double ref_chosen_logp, double ref_rejected_logp,
                          double beta) {
  DpoPairLoss p;
  p.margin = (chosen_logp - ref_chosen_logp) - (rejected_logp - ref_rejected_logp);
  const double z = beta * p.margin;
  p.loss = -log_sigmoid(z);
  p.d_chosen = -beta * sigmoid(-z);
  p.d_rejected = beta * sigmoid(-z);
  return p;
}

Objective dpo_objective(std::vector<double> ref_logp, double beta, double global_pairs, DpoStats& stats) {
  return [ref = std::move(ref_logp), beta, global_pairs, &stats](const TokenBatch& b, std::span<const float> logp,
                                                                  std::span<float> dlogp) {
    DSMATH_CHECK(b.batch % 2 == 0 && static_cast<size_t>(b.batch) == ref.size(), "DPO: {} rows, {} reference log-probs", b.batch,
                 ref.size());
    const size_t seq = static_cast<size_t>(b.seq);
    const std::vector<double> seq_logp = row_logprobs(b, logp);
    double loss = 0;
    for (size_t k = 0; 2 * k < static_cast<size_t>(b.batch); ++k) {
      const size_t w = 2 * k, l = 2 * k + 1;
      const DpoPairLoss p = dpo_pair_loss(seq_logp[w], seq_logp[l], ref[w], ref[l], beta);
      loss += p.loss / global_pairs;
      for (size_t t = 0; t < seq; ++t) {
        if (b.targets[w * seq + t] >= 0) dlogp[w * seq + t] = static_cast<float>(p.d_chosen / global_pairs);
        if (b.targets[l * seq + t] >= 0) dlogp[l * seq + t] = static_cast<float>(p.d_rejected / global_pairs);
      }
      stats.margin_sum += p.margin;
      stats.accuracy_sum += p.margin > 0;
      stats.pairs += 1;
    }
    stats.loss += loss;
    return loss;
  };
}

std::vector<double> row_logprobs(const TokenBatch& b, std::span<const float> logp) {
  std::vector<double> out(static_cast<size_t>(b.batch), 0.0);
  for (size_t i = 0; i < static_cast<size_t>(b.size()); ++i)
    if (b.targets[i] >= 0) out[i / static_cast<size_t>(b.seq)] += logp[i];
  return out;
}

}  // namespace dsmath::rl
