#include "rl/grpo_loss.hpp"

#include <algorithm>
#include <cmath>

namespace dsmath::rl {

double k3_kl(double logp, double ref_logp) {
  const double log_r = ref_logp - logp;
  return std::exp(log_r) - log_r - 1.0;
}

double token_weight(LossAggregation aggregation, double n_tokens, double global_sequences, double global_tokens,
                    int max_new_tokens) {
  switch (aggregation) {
    case LossAggregation::sequence_mean: return 1.0 / (global_sequences * n_tokens);
    case LossAggregation::token_mean: return 1.0 / global_tokens;
    case LossAggregation::dr_grpo: return 1.0 / (global_sequences * static_cast<double>(max_new_tokens));
  }
  return 0.0;
}

TokenLoss grpo_token_loss(double logp, double old_logp, double ref_logp, double advantage, const GrpoLossConfig& c,
                          bool use_kl) {
  TokenLoss t;
  const double rho = std::exp(logp - old_logp);
  const double clipped_rho = std::clamp(rho, 1.0 - c.clip_low, 1.0 + c.clip_high);
  const double unclipped_term = rho * advantage, clipped_term = clipped_rho * advantage;
  // min(rho A, clip(rho) A): the clipped branch wins (and has zero gradient) only outside the
  // trust region on the side where A pushes further out
  t.clipped = clipped_term < unclipped_term;
  const double surrogate = t.clipped ? clipped_term : unclipped_term;
  t.loss = -surrogate;
  t.dlogp = t.clipped ? 0.0 : -unclipped_term;
  if (use_kl) {
    t.kl = k3_kl(logp, ref_logp);
    t.loss += c.beta * t.kl;
    t.dlogp += c.beta * (1.0 - std::exp(ref_logp - logp));
  }
  return t;
}

}  // namespace dsmath::rl
