#pragma once
// What the online-RL drivers (`dsmath grpo`, `dsmath ppo`) share around their gradient
// coefficient: the run's set-up (backend, ranks, tokenizer, the policy's shape, questions per
// rank), the data-source phase of one step, where a run resumes from, and the checkpoint cadence
// with a scheduler's stop signal.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "backend/backend.hpp"
#include "dist/communicator.hpp"
#include "infer/generation_engine.hpp"
#include "io/checkpoint_store.hpp"
#include "model/transformer.hpp"
#include "rl/grpo_config.hpp"
#include "rl/rl_data.hpp"
#include "rl/rollout.hpp"
#include "tokenizer/chat_template.hpp"
#include "tokenizer/tokenizer.hpp"
#include "train/lm_training.hpp"

namespace dsmath::rl {

struct OnlineRun {
  // `stage` names the command in messages; questions_per_step x group_size must split over the
  // ranks and into `minibatches`.
  OnlineRun(const std::string& stage, std::string config_yaml, const RuntimeConfig& runtime, const DistConfig& dist,
            const RunOptions& run, const RolloutConfig& rollout, int minibatches, const std::string& tokenizer_file,
            const InitConfig& init, const ModelConfig& model);

  std::unique_ptr<Backend> backend;
  std::unique_ptr<Communicator> comm;
  std::string config_yaml, config_hash;
  int questions_here;  // this rank's questions per step
  std::string tokenizer_path;
  Tokenizer tokenizer;
  ChatFormat chat;
  ModelConfig model_config;  // the policy's (and the reference's) shape
  int32_t pad;
  std::vector<int32_t> eos;
};

// pi, pi_old and pi_ref as the distribution the rollout samples from, softmax(logits / T) at
// rollout.sampling.temperature, so that rho is 1 on-policy and the KL compares like with like
// (TRL divides its logits by the temperature likewise). `reference` may be null (no KL term).
void score_at_sampling_temperature(const RolloutConfig& rollout, Transformer& policy, Transformer* reference);

// The KV cache's length for a step's rollouts: the longest prompt plus max_new_tokens, not the
// model's whole context.
int rollout_length(const PromptedQuestions& pq, const ModelConfig& model, int max_new_tokens);

// Phases 1 and 2 of a step: this rank's questions (every rank draws the same global list), G
// outputs each from a sampling stream per (step, rank) so that samples differ across steps, and
// their rewards; with the seconds each phase took.
struct ScoredRollout {
  Rollout rollout;
  std::vector<SampleRewards> scored;
  double generation_s = 0, scoring_s = 0;
};

ScoredRollout step_rollout(GenerationEngine& engine, const OnlineRun& run, const PromptedQuestions& pq, QuestionSampler& sampler,
                           const RolloutConfig& rollout, const Rewards& rewards, int64_t step);

// The checkpoint to resume from (with --resume); a run directory that holds checkpoints is
// refused without --resume.
std::optional<std::filesystem::path> resume_checkpoint(const CheckpointStore& store, const RunOptions& run);

// Whether to checkpoint after `step` (the cadence, the last step, or a stop signal on any rank,
// which also sets `stop`).
bool checkpoint_due(Communicator& comm, const CheckpointConfig& checkpoint, int64_t step, int64_t max_steps, bool& stop);

}  // namespace dsmath::rl
