#pragma once
// Group-relative advantages (DeepSeekMath section 4.1.2-4.1.3).
//
// Outcome supervision: each of the G outputs of a question gets one reward r_i and every token
// of output i the advantage A_i = (r_i - mean(r)) / (std(r) + eps).
// Process supervision: output i gets a reward per reasoning step; all step rewards of the group
// are normalized together, r~ = (r - mean) / (std + eps), and a token's advantage is the sum of
// the normalized rewards of the steps that end at or after it.
//
// Choices the paper leaves open, set by config: std with Bessel's correction (TRL's default,
// torch.std) or without; eps = 1e-4 by default (TRL's value), which also makes a group whose
// rewards are all equal get exactly 0 rather than 0/0. With G = 1 there is no group to compare
// with, so the advantage is the raw reward (REINFORCE without a baseline).
//
// Dr. GRPO (Liu et al. 2025) drops the division by the std (scale_rewards false: A = r - mean),
// which otherwise up-weights questions whose group is nearly all right or all wrong.
//
// Online RFT (DeepSeekMath section 5.2.1, Table 10): the gradient coefficient is 1 for an output
// whose answer is right and 0 otherwise, with no baseline and no normalization.
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "config/schema.hpp"

namespace dsmath::rl {

// Which gradient coefficient (the paper's Table 10 column) a method gives each token.
enum class AdvantageKind { outcome, process, online_rft };

struct AdvantageConfig {
  bool bessel = true;
  double eps = 1e-4;
  bool scale = true;  // divide by the group std (false: Dr. GRPO)
};

std::vector<double> outcome_advantages(std::span<const double> group_rewards, const AdvantageConfig& config);

// step_rewards[i][k]: reward of step k of output i; step_ends[i][k]: index of the last token of
// that step in output i (ascending); n_tokens[i]: tokens of output i. Tokens after the last step
// end (e.g. EOS) get the advantage of no remaining step: 0.
std::vector<std::vector<double>> process_advantages(const std::vector<std::vector<double>>& step_rewards,
                                                    const std::vector<std::vector<int>>& step_ends,
                                                    const std::vector<int>& n_tokens, const AdvantageConfig& config);

// Online RFT: 1 for a correct output, 0 otherwise.
std::vector<double> online_rft_coefficients(const std::vector<bool>& correct);

// mean and standard deviation of values (Bessel's correction optional; 0 for fewer than 2 values)
std::pair<double, double> mean_and_std(std::span<const double> values, bool bessel);

}  // namespace dsmath::rl

template <>
struct dsmath::config::EnumNames<dsmath::rl::AdvantageKind> {
  static constexpr std::array<std::pair<dsmath::rl::AdvantageKind, std::string_view>, 3> values{
      {{dsmath::rl::AdvantageKind::outcome, "outcome"},
       {dsmath::rl::AdvantageKind::process, "process"},
       {dsmath::rl::AdvantageKind::online_rft, "online_rft"}}};
};
