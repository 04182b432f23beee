#include "rl/rollout_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace dsmath::rl {

Json rollout_step_metrics(Communicator& comm, const std::vector<RewardSource>& sources, int questions_per_step, int group_size,
                          const Rollout& rollout, const std::vector<SampleRewards>& scored, const UpdateResult& update,
                          double zero_std_groups) {
  const UpdateStats& st = update.stats;
  enum { reward, reward_sq, correct, length, truncated, zero_std, kl, entropy, clipped, clip_low, clip_high, tokens,
         mismatch, mismatch_tokens, count };
  std::vector<double> sums(count, 0.0);
  double len_max = 0, len_min = 1e300;
  for (size_t i = 0; i < scored.size(); ++i) {
    const double n_tok = static_cast<double>(rollout.outputs[i].tokens.size());
    sums[reward] += scored[i].total;
    sums[reward_sq] += scored[i].total * scored[i].total;
    sums[correct] += scored[i].correct;
    sums[length] += n_tok;
    sums[truncated] += rollout.outputs[i].finish == FinishReason::length;
    len_max = std::max(len_max, n_tok);
    len_min = std::min(len_min, n_tok);
  }
  sums[zero_std] = zero_std_groups;
  sums[kl] = st.kl_sum;
  sums[entropy] = st.entropy_sum;
  sums[clipped] = st.clipped;
  sums[clip_low] = st.clipped_low;
  sums[clip_high] = st.clipped_high;
  sums[tokens] = st.tokens;
  sums[mismatch] = st.mismatch_sum;
  sums[mismatch_tokens] = st.mismatch_tokens;
  // per reward source: sum and sum of squares
  const size_t n_src = sources.size();
  for (size_t k = 0; k < 2 * n_src; ++k) sums.push_back(0.0);
  for (const auto& s : scored)
    for (size_t k = 0; k < n_src; ++k) {
      sums[count + 2 * k] += s.by_source[k];
      sums[count + 2 * k + 1] += s.by_source[k] * s.by_source[k];
    }
  comm.allreduce_sum(sums);
  // extremes over ranks: a max of -x is a min of x; allreduce has only sums, so gather them as
  // one-hot slots (world is small: one value per rank)
  std::vector<double> ext(2 * static_cast<size_t>(comm.world_size()), 0.0);
  ext[2 * static_cast<size_t>(comm.rank())] = len_max;
  ext[2 * static_cast<size_t>(comm.rank()) + 1] = len_min;
  comm.allreduce_sum(ext);
  for (int r = 0; r < comm.world_size(); ++r) {
    len_max = std::max(len_max, ext[2 * static_cast<size_t>(r)]);
    len_min = std::min(len_min, ext[2 * static_cast<size_t>(r) + 1]);
  }
  const double n = static_cast<double>(questions_per_step) * group_size;
  auto mean_std = [&](double sum, double sq) {
    const double m = sum / n;
    return std::pair{m, std::sqrt(std::max(0.0, sq / n - m * m))};
  };
  const auto [r_mean, r_std] = mean_std(sums[reward], sums[reward_sq]);
  auto per_token = [&](double v) { return sums[tokens] > 0 ? v / sums[tokens] : 0.0; };
  Json line{{"reward_mean", r_mean},
            {"reward_std", r_std},
            {"accuracy", sums[correct] / n},
            {"kl", per_token(sums[kl])},
            {"entropy", per_token(sums[entropy])},
            {"clip_fraction", per_token(sums[clipped])},
            {"clip_ratio_low", per_token(sums[clip_low])},
            {"clip_ratio_high", per_token(sums[clip_high])},
            {"completion_length_mean", sums[length] / n},
            {"completion_length_max", len_max},
            {"completion_length_min", len_min},
            {"truncated_fraction", sums[truncated] / n},
            {"zero_std_group_fraction", sums[zero_std] / questions_per_step},
            {"frac_reward_zero_std", sums[zero_std] / questions_per_step},
            {"logprob_mismatch", sums[mismatch_tokens] > 0 ? sums[mismatch] / sums[mismatch_tokens] : 0.0},
            {"logprob_mismatch_max", st.mismatch_max},
            {"loss", update.last.loss},
            {"grad_norm", update.last.grad_norm},
            {"lr", update.last.lr},
            {"optimizer_steps", update.optimizer_steps}};
  for (size_t k = 0; k < n_src; ++k) {
    const auto [m, sd] = mean_std(sums[count + 2 * k], sums[count + 2 * k + 1]);
    line["reward_" + sources[k].kind + "_mean"] = m;
    line["reward_" + sources[k].kind + "_std"] = sd;
  }
  return line;
}

}  // namespace dsmath::rl
