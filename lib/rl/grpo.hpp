#pragma once
// The `dsmath grpo` driver: rollouts with the generation engine, rewards, group-relative
// advantages, clipped policy updates with a KL penalty to a reference model, metrics,
// checkpoints and exact resume.
#include "rl/grpo_config.hpp"
#include "train/lm_training.hpp"

namespace dsmath::rl {

struct GrpoSummary {
  int64_t start_step = 0;
  int64_t steps = 0;
  bool stopped_early = false;
  double first_reward = 0, last_reward = 0;
  double first_accuracy = 0, last_accuracy = 0;
  std::filesystem::path checkpoint;
  Json last_eval;  // the final held-out evaluation (null if none)
};

GrpoSummary run_grpo(const GrpoConfig& config, const RunOptions& run);

// The per-token inputs of one rollout sample, as the objective needs them (exposed for tests).
struct RolloutSample {
  std::vector<int32_t> prompt;
  std::vector<int32_t> completion;
  std::vector<float> old_logp;      // sampler's log pi_old per completion token
  std::vector<float> ref_logp;      // log pi_ref per completion token (empty without KL)
  std::vector<double> advantages;   // per completion token
};

struct UpdateStats {
  double loss = 0, kl_sum = 0, entropy_sum = 0;
  double tokens = 0, clipped = 0;
  double mismatch_sum = 0, mismatch_max = 0, mismatch_tokens = 0;
};

// Rows for a micro-batch of samples: prompt + completion right-padded; targets are the
// completion tokens.
TokenBatch rollout_batch(const std::vector<const RolloutSample*>& samples, int32_t pad_id);

// The GRPO objective over a micro-batch: token weights follow config.aggregation, normalized
// by the minibatch's global sequence count (sequence_mean, dr_grpo) or token count (token_mean).
Objective grpo_objective(const std::vector<const RolloutSample*>& samples, const GrpoLossConfig& config,
                         double global_sequences, double global_tokens, int max_new_tokens, bool use_kl,
                         bool measure_mismatch, const Transformer* model_for_entropy, UpdateStats& stats);

}  // namespace dsmath::rl
