#pragma once
// The DPO objective (Rafailov et al. 2023), one of the methods DeepSeekMath section 5.2.1
// compares (Table 10: data source the SFT model's samples, gradient coefficient
// sigma(beta log-ratio difference)). For a pair of a chosen output y_w and a rejected y_l of one
// question, with sequence log-probs (sums over the completion's tokens):
//   z = beta [(log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l))]
//   L = -log sigmoid(z)
//   dL / d log pi(y_w) = -beta sigmoid(-z),   dL / d log pi(y_l) = +beta sigmoid(-z)
// so every token of y_w gets the gradient coefficient beta sigmoid(-z) and every token of y_l its
// negative (the paper's eq. 13-14). TRL's DPOTrainer with loss_type "sigmoid" computes the same.
#include <vector>

#include "train/objectives.hpp"

namespace dsmath::rl {

struct DpoPairLoss {
  double loss = 0;
  double d_chosen = 0;    // dL / d log pi(y_w)
  double d_rejected = 0;  // dL / d log pi(y_l)
  double margin = 0;      // z / beta: the implicit reward margin
};

DpoPairLoss dpo_pair_loss(double chosen_logp, double rejected_logp, double ref_chosen_logp, double ref_rejected_logp,
                          double beta);

// A micro-batch of pairs as rows 2k (chosen) and 2k + 1 (rejected); ref_logp[row] is the
// reference model's sequence log-prob of that row. The loss is the mean over global_pairs.
struct DpoStats {
  double loss = 0, margin_sum = 0, accuracy_sum = 0, pairs = 0;
};
Objective dpo_objective(std::vector<double> ref_logp, double beta, double global_pairs, DpoStats& stats);

// The sequence log-prob of each row of a batch: the sum of logp over the row's target tokens
// (TRL's per_token_logps.sum(dim=1) over the completion mask).
std::vector<double> row_logprobs(const TokenBatch& b, std::span<const float> logp);

}  // namespace dsmath::rl
