#pragma once
// PPO as DeepSeekMath section 4.1 writes it (equations 1-2), with the value-model details of the
// common implementations (InstructGPT, Ouyang et al. 2022; TRL's PPOTrainer; Zheng et al. 2023).
//
// Reward per token t of output o (equation 2), r_phi the outcome reward of the whole output:
//   r_t = r_phi(q, o) [t = |o| - 1] - beta log(pi_old(o_t) / pi_ref(o_t)),
// the KL term the "k1" estimator (TRL's kl_estimator default) of the policy that sampled.
// Advantages by generalized advantage estimation (Schulman et al. 2016) on r_t and V_old, the
// value model's estimate before this step's updates, with V = 0 after the last token:
//   delta_t = r_t + gamma V_{t+1} - V_t,  A_t = sum_l (gamma lambda)^l delta_{t+l},
//   returns R_t = A_t + V_t (the value model's regression target).
// lambda 0 gives the one-step TD error A_t = delta_t; lambda 1 the Monte-Carlo return minus V_t.
//
// Policy loss per token (equation 1): the clipped surrogate of GRPO's equation 3 without its
// in-loss KL (PPO carries the KL in the reward instead): see grpo_loss.hpp.
// Value loss per token, clipped as in TRL and OpenAI's baselines (the paper does not say):
//   V_clip = clamp(V, V_old - eps_v, V_old + eps_v),
//   l_v = 1/2 max((V - R)^2, (V_clip - R)^2),
//   d l_v / d V = V - R when the unclipped square is the larger, else 0 (V_clip is flat in V
//   outside the band, and inside it the two squares are equal).
// The value loss enters with weight vf_coef (TRL's total loss = policy loss + vf_coef x value
// loss; here the value model is a separate network with its own optimizer, so vf_coef scales only
// its gradient), its tokens weighed like the policy loss's (loss_aggregation).
#include <span>
#include <vector>

#include "dist/communicator.hpp"
#include "rl/grpo_loss.hpp"
#include "train/trainer.hpp"

namespace dsmath::rl {

struct RolloutSample;

// Equation 2's per-token reward from the output's score and the sampling policy's and the
// reference's log-probs of its tokens.
std::vector<double> kl_penalized_rewards(std::span<const float> logp, std::span<const float> ref_logp, double score,
                                         double kl_coef);

struct GaeResult {
  std::vector<double> advantages;
  std::vector<double> returns;
};

GaeResult gae(std::span<const double> rewards, std::span<const float> values, double gamma, double lambda);

// The policy term of equation 1 for one token (clip eps on both sides, no KL).
TokenLoss ppo_policy_token_loss(double logp, double old_logp, double advantage, double clip);

struct ValueTokenLoss {
  double loss = 0;    // l_v
  double dvalue = 0;  // d l_v / d V
  bool clipped = false;
};

ValueTokenLoss ppo_value_token_loss(double value, double old_value, double target, double clip_value);

// Advantages whitened over all completion tokens of the step on every rank: (A - mean) /
// sqrt(var + 1e-8), var with Bessel's correction (TRL's masked_whiten). Returns the mean and
// the variance it removed.
std::pair<double, double> whiten_advantages(std::vector<RolloutSample>& samples, Communicator& comm);

struct ValueStats {
  double loss = 0, tokens = 0, clipped = 0;
};

// vf_coef x the value loss over a micro-batch of a minibatch of global_sequences outputs and
// global_tokens tokens; values are the value model's per-position outputs.
Objective ppo_value_objective(const std::vector<const RolloutSample*>& samples, LossAggregation aggregation, double clip_value,
                              double vf_coef, double global_sequences, double global_tokens, int max_new_tokens,
                              ValueStats& stats);

}  // namespace dsmath::rl
