#pragma once
// The policy-update phase every RL method shares (DeepSeekMath section 5.2.1: the gradient
// coefficient times the gradient of log pi, eq. 5): rollout samples as token rows, the clipped
// GRPO objective of eq. 3, the reference log-probs, and mu passes of minibatch steps over a rollout.
#include <functional>
#include <vector>

#include "dist/communicator.hpp"
#include "model/transformer.hpp"
#include "rl/grpo_config.hpp"
#include "train/objectives.hpp"
#include "train/trainer.hpp"

namespace dsmath::rl {

// The per-token inputs of one rollout sample, as the objective needs them.
struct RolloutSample {
  std::vector<int32_t> prompt;
  std::vector<int32_t> completion;
  std::vector<float> sampler_logp;  // the generation engine's log-probs (for the mismatch metric only)
  std::vector<float> old_logp;      // log pi_old from the trainer's forward; empty: the detached current log-probs (mu = 1)
  std::vector<float> ref_logp;      // log pi_ref per completion token (empty without KL)
  std::vector<double> advantages;   // the gradient coefficient per completion token
  // PPO's value model (ppo_loss.hpp): V_old at each completion token's state, and the GAE returns
  std::vector<float> old_values;
  std::vector<double> returns;
};

struct UpdateStats {
  double loss = 0, kl_sum = 0, entropy_sum = 0;
  double tokens = 0, clipped = 0, clipped_low = 0, clipped_high = 0;
  double mismatch_sum = 0, mismatch_max = 0, mismatch_tokens = 0;
};

// Rows for a micro-batch of samples: prompt + completion right-padded; targets are the
// completion tokens.
TokenBatch rollout_batch(const std::vector<const RolloutSample*>& samples, int32_t pad_id);

// The GRPO objective over a micro-batch: token weights follow config.aggregation, normalized
// by the minibatch's global sequence count (sequence_mean, dr_grpo) or token count (token_mean).
// A sample without old_logp is on-policy: pi_old is the current policy's log-prob, detached
// (rho = 1 exactly, so the clip cannot fire whatever precision the sampler ran in).
Objective grpo_objective(const std::vector<const RolloutSample*>& samples, const GrpoLossConfig& config,
                         double global_sequences, double global_tokens, int max_new_tokens, bool use_kl,
                         bool measure_mismatch, const Transformer* model_for_entropy, UpdateStats& stats);

// samples [begin, end) in micro-batches of `micro` (the last one may be shorter)
std::vector<std::vector<const RolloutSample*>> micro_batches(const std::vector<RolloutSample>& samples, size_t begin, size_t end,
                                                             int micro);

// Fills samples[i].*member with `model`'s log-probs of each completion token (no gradients); for
// a scalar-head model (PPO's value model), its value at the position predicting that token.
void completion_logprobs(Transformer& model, std::vector<RolloutSample>& samples, int micro_batch, int32_t pad,
                         std::vector<float> RolloutSample::*member);

struct UpdateResult {
  UpdateStats stats;
  StepStats last;
  int optimizer_steps = 0;
};

// Called after each policy step with the minibatch's samples [begin, end) (PPO steps its value
// model on the same minibatch, as TRL's PPOTrainer does).
using MinibatchHook = std::function<void(size_t begin, size_t end)>;

// algorithm.policy_epochs passes over this rank's samples, each split into algorithm.minibatches
// optimizer steps (a remainder is refused). With more than one step per rollout, pi_old is the
// policy before the first of them, recomputed by the trainer's forward.
UpdateResult update_policy(Trainer& trainer, Communicator& comm, Transformer& policy, std::vector<RolloutSample>& samples,
                           const AlgorithmConfig& algorithm, int micro_batch, int max_new_tokens, bool use_kl, int32_t pad,
                           const MinibatchHook& after_each_minibatch = {});

}  // namespace dsmath::rl
