#pragma once
// The GRPO objective (DeepSeekMath equation 3, with the "k3" KL estimator of Schulman 2020 in
// the loss rather than the reward). Per token t of output i, with ratio rho = pi / pi_old:
//   l_t = -[ min(rho A, clip(rho, 1 - eps_low, 1 + eps_high) A) - beta KL_t ],
//   KL_t = pi_ref / pi - log(pi_ref / pi) - 1,
//   d l_t / d log pi = -A rho [not clipped] + beta (1 - pi_ref / pi).
// On-policy (rho = 1) the gradient coefficient is A + beta (pi_ref / pi - 1): equation 21.
//
// Aggregation of l_t into the loss (weight per token):
//   sequence_mean (the paper): 1/G sum_i 1/|o_i| sum_t l_t, over all outputs of the step;
//   token_mean (DAPO, Yu et al. 2025): sum_i sum_t l_t / sum_i |o_i|;
//   dr_grpo (Liu et al. 2025): sum_i sum_t l_t / (G x max_new_tokens).
#include <cstdint>

#include "config/schema.hpp"

namespace dsmath::rl {

enum class LossAggregation { sequence_mean, token_mean, dr_grpo };

struct GrpoLossConfig {
  double beta = 0.04;
  double clip_low = 0.2;
  double clip_high = 0.2;
  LossAggregation aggregation = LossAggregation::sequence_mean;
};

struct TokenLoss {
  double loss = 0;   // l_t
  double dlogp = 0;  // d l_t / d log pi
  double kl = 0;     // KL_t
  bool clipped = false;
};

// The weight of one token of an output of n_tokens tokens in the loss under `aggregation`, the
// minibatch holding global_sequences outputs and global_tokens tokens over all ranks.
double token_weight(LossAggregation aggregation, double n_tokens, double global_sequences, double global_tokens,
                    int max_new_tokens);

TokenLoss grpo_token_loss(double logp, double old_logp, double ref_logp, double advantage, const GrpoLossConfig& config,
                          bool use_kl);

// k3 estimate of KL(pi || pi_ref) from one sample: r - log r - 1 with r = pi_ref / pi.
double k3_kl(double logp, double ref_logp);

}  // namespace dsmath::rl

template <>
struct dsmath::config::EnumNames<dsmath::rl::LossAggregation> {
  static constexpr std::array<std::pair<dsmath::rl::LossAggregation, std::string_view>, 3> values{
      {{dsmath::rl::LossAggregation::sequence_mean, "sequence_mean"},
       {dsmath::rl::LossAggregation::token_mean, "token_mean"},
       {dsmath::rl::LossAggregation::dr_grpo, "dr_grpo"}}};
};
