#include "rl/coefficients.hpp"

#include "core/error.hpp"

namespace dsmath::rl {

GroupCoefficients group_coefficients(AdvantageKind kind, std::span<const SampleRewards> group,
                                     const std::vector<int>& n_tokens, const AdvantageConfig& config) {
  DSMATH_CHECK(group.size() == n_tokens.size(), "{} scored outputs, {} token counts", group.size(), n_tokens.size());
  const size_t G = group.size();
  std::vector<double> r(G);
  for (size_t g = 0; g < G; ++g) r[g] = group[g].total;
  GroupCoefficients out;
  out.zero_std = G > 1 && mean_and_std(r, config.bessel).second == 0;
  out.per_token.resize(G);
  auto broadcast = [&](const std::vector<double>& per_output) {
    for (size_t g = 0; g < G; ++g) out.per_token[g].assign(static_cast<size_t>(n_tokens[g]), per_output[g]);
  };
  switch (kind) {
    case AdvantageKind::outcome: broadcast(outcome_advantages(r, config)); break;
    case AdvantageKind::online_rft: {
      std::vector<bool> correct(G);
      for (size_t g = 0; g < G; ++g) correct[g] = group[g].correct;
      broadcast(online_rft_coefficients(correct));
      break;
    }
    case AdvantageKind::process: {
      std::vector<std::vector<double>> step_r;
      std::vector<std::vector<int>> step_e;
      for (const auto& s : group) {
        step_r.push_back(s.step_rewards);
        step_e.push_back(s.step_ends);
      }
      out.per_token = process_advantages(step_r, step_e, n_tokens, config);
      break;
    }
  }
  return out;
}

}  // namespace dsmath::rl
