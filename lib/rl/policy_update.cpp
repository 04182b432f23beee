#include "rl/policy_update.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace dsmath::rl {

TokenBatch rollout_batch(const std::vector<const RolloutSample*>& samples, int32_t pad_id) {
  int width = 2;
  for (const auto* s : samples) width = std::max(width, static_cast<int>(s->prompt.size() + s->completion.size()) - 1);
  TokenBatch b;
  b.resize(static_cast<int>(samples.size()), width);
  std::fill(b.tokens.begin(), b.tokens.end(), pad_id);
  for (size_t r = 0; r < samples.size(); ++r) {
    const auto& s = *samples[r];
    const size_t base = r * static_cast<size_t>(width), P = s.prompt.size();
    // the inputs: prompt + completion without its last token
    for (size_t t = 0; t + 1 < P + s.completion.size(); ++t) b.tokens[base + t] = t < P ? s.prompt[t] : s.completion[t - P];
    // completion token j is predicted at position |prompt| + j - 1
    for (size_t j = 0; j < s.completion.size(); ++j) b.targets[base + P + j - 1] = s.completion[j];
  }
  return b;
}

Objective grpo_objective(const std::vector<const RolloutSample*>& samples, const GrpoLossConfig& config,
                         double global_sequences, double global_tokens, int max_new_tokens, bool use_kl,
                         bool measure_mismatch, const Transformer* model_for_entropy, UpdateStats& stats) {
  return [=, &stats](const TokenBatch& b, std::span<const float> logp, std::span<float> dlogp) {
    double loss = 0;
    const auto entropy = model_for_entropy ? model_for_entropy->entropy() : std::span<const float>{};
    for (size_t r = 0; r < samples.size(); ++r) {
      const RolloutSample& s = *samples[r];
      const double n_tokens = static_cast<double>(s.completion.size());
      const double weight = token_weight(config.aggregation, n_tokens, global_sequences, global_tokens, max_new_tokens);
      const size_t base = r * static_cast<size_t>(b.seq) + s.prompt.size() - 1;
      for (size_t j = 0; j < s.completion.size(); ++j) {
        const size_t i = base + j;
        const double ref = use_kl ? s.ref_logp[j] : 0.0;
        const double old = s.old_logp.empty() ? static_cast<double>(logp[i]) : s.old_logp[j];
        const TokenLoss t = grpo_token_loss(logp[i], old, ref, s.advantages[j], config, use_kl);
        loss += weight * t.loss;
        dlogp[i] = static_cast<float>(weight * t.dlogp);
        stats.kl_sum += t.kl;
        stats.clipped += t.clipped;
        // TRL's clip_ratio/low_mean and high_mean: which side of the trust region clipped
        if (t.clipped) (logp[i] > old ? stats.clipped_high : stats.clipped_low) += 1;
        stats.tokens += 1;
        if (!entropy.empty()) stats.entropy_sum += entropy[i];
        if (measure_mismatch && !s.sampler_logp.empty()) {
          const double d = std::fabs(static_cast<double>(logp[i]) - s.sampler_logp[j]);
          stats.mismatch_sum += d;
          stats.mismatch_max = std::max(stats.mismatch_max, d);
          stats.mismatch_tokens += 1;
        }
      }
    }
    stats.loss += loss;
    return loss;
  };
}

std::vector<std::vector<const RolloutSample*>> micro_batches(const std::vector<RolloutSample>& samples, size_t begin, size_t end,
                                                             int micro) {
  std::vector<std::vector<const RolloutSample*>> out;
  for (size_t k = begin; k < end; k += static_cast<size_t>(micro)) {
    std::vector<const RolloutSample*> mb;
    for (size_t j = k; j < std::min(end, k + static_cast<size_t>(micro)); ++j) mb.push_back(&samples[j]);
    out.push_back(std::move(mb));
  }
  return out;
}

void completion_logprobs(Transformer& model, std::vector<RolloutSample>& samples, int micro_batch, int32_t pad,
                         std::vector<float> RolloutSample::*member) {
  for (const auto& mb : micro_batches(samples, 0, samples.size(), micro_batch)) {
    const TokenBatch b = rollout_batch(mb, pad);
    model.forward(b, false);
    const auto lp = model.logprobs();
    for (size_t r = 0; r < mb.size(); ++r) {
      auto& s = const_cast<RolloutSample&>(*mb[r]);
      const size_t base = r * static_cast<size_t>(b.seq) + s.prompt.size() - 1;
      (s.*member).assign(lp.begin() + static_cast<ptrdiff_t>(base), lp.begin() + static_cast<ptrdiff_t>(base + s.completion.size()));
    }
  }
}

UpdateResult update_policy(Trainer& trainer, Communicator& comm, Transformer& policy, std::vector<RolloutSample>& samples,
                           const AlgorithmConfig& algorithm, int micro_batch, int max_new_tokens, bool use_kl, int32_t pad,
                           const MinibatchHook& after_each_minibatch) {
  const size_t m_count = static_cast<size_t>(algorithm.minibatches);
  if (samples.size() % m_count != 0)
    fail_hint("pick algorithm.minibatches dividing questions_per_step x group_size / ranks",
              "{} samples per rank do not split into {} minibatches", samples.size(), algorithm.minibatches);
  // pi_old: the policy that sampled. One step per rollout needs no copy (the detached current
  // log-probs are pi_old exactly); more steps need it before the first update moves the policy.
  const bool several = algorithm.policy_epochs * algorithm.minibatches > 1;
  for (auto& s : samples) s.old_logp.clear();
  if (several) completion_logprobs(policy, samples, micro_batch, pad, &RolloutSample::old_logp);
  UpdateResult out;
  const size_t per_mb = samples.size() / m_count;
  for (int epoch = 0; epoch < algorithm.policy_epochs; ++epoch) {
    for (size_t m = 0; m < m_count; ++m) {
      // minibatch m: samples [m * per_mb, (m + 1) * per_mb)
      const size_t begin = m * per_mb, end = begin + per_mb;
      double global[2] = {static_cast<double>(per_mb), 0.0};
      for (size_t i = begin; i < end; ++i) global[1] += static_cast<double>(samples[i].completion.size());
      comm.allreduce_sum(std::span<double>(global, 2));
      trainer.begin_step();
      // the sampler's log-probs should equal the policy's before its first update
      const bool measure = epoch == 0 && m == 0;
      const auto mbs = micro_batches(samples, begin, end, micro_batch);
      for (size_t k = 0; k < mbs.size(); ++k) {
        const TokenBatch b = rollout_batch(mbs[k], pad);
        trainer.accumulate(b,
                           grpo_objective(mbs[k], algorithm.loss, global[0], global[1], max_new_tokens, use_kl, measure,
                                          &policy, out.stats),
                           /*want_entropy=*/true, /*last=*/k + 1 == mbs.size());
      }
      out.last = trainer.finish_step();
      ++out.optimizer_steps;
      if (after_each_minibatch) after_each_minibatch(begin, end);
    }
  }
  return out;
}

}  // namespace dsmath::rl
