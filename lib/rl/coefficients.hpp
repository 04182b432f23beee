#pragma once
// The gradient-coefficient phase (DeepSeekMath section 5.2.1, Table 10's "gradient coefficient"
// column): from the scored outputs of one question's group to a coefficient per token.
//   outcome (GRPO+OS): the group-normalized reward of the output, on every token;
//   process (GRPO+PS): the sum of the normalized step rewards still ahead of the token;
//   online_rft: 1 on every token of a correct output, 0 otherwise.
#include <span>
#include <vector>

#include "rl/advantages.hpp"
#include "rl/rewards.hpp"

namespace dsmath::rl {

struct GroupCoefficients {
  std::vector<std::vector<double>> per_token;  // [output][token]
  bool zero_std = false;                        // every output of the group got the same reward
};

GroupCoefficients group_coefficients(AdvantageKind kind, std::span<const SampleRewards> group,
                                     const std::vector<int>& n_tokens, const AdvantageConfig& config);

}  // namespace dsmath::rl
