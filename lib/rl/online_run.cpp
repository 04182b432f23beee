#include "rl/online_run.hpp"

#include <algorithm>

#include "backend/create.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/stop_signal.hpp"
#include "core/timer.hpp"
#include "dist/launch.hpp"
#include "train/model_setup.hpp"

namespace dsmath::rl {

namespace {
int split_questions(const RolloutConfig& rollout, int minibatches, int world) {
  if (rollout.questions_per_step % world != 0)
    fail_hint("make rollout.questions_per_step a multiple of the number of ranks",
              "rollout.questions_per_step ({}) is not divisible by {} ranks", rollout.questions_per_step, world);
  const int here = rollout.questions_per_step / world;
  if ((here * rollout.group_size) % minibatches != 0)
    fail_hint("pick algorithm.minibatches dividing questions_per_step x group_size / ranks",
              "{} samples per rank do not split into {} minibatches", here * rollout.group_size, minibatches);
  return here;
}

ModelConfig policy_shape(const ModelConfig& model, const InitConfig& init, const Tokenizer& tokenizer) {
  ModelConfig c = resolve_model_config(model, init);
  check_tokenizer_fits(tokenizer, c.vocab_size, init.from);
  return c;
}
}  // namespace

OnlineRun::OnlineRun(const std::string& stage, std::string yaml, const RuntimeConfig& runtime, const DistConfig& dist,
                     const RunOptions& run, const RolloutConfig& rollout, int minibatches, const std::string& tokenizer_file,
                     const InitConfig& init, const ModelConfig& model)
    : backend(create_backend({runtime.device, runtime.threads, -1})),
      comm(create_communicator(dist, run.run_dir / ".heartbeat", backend.get())),
      config_yaml(std::move(yaml)),
      config_hash(hex64(hash64(config_yaml))),
      questions_here(split_questions(rollout, minibatches, comm->world_size())),
      tokenizer_path(resolve_tokenizer_path(tokenizer_file, init, stage + " renders its prompts with it")),
      tokenizer(Tokenizer::load(tokenizer_path)),
      chat(ChatFormat::for_tokenizer(tokenizer)),
      model_config(policy_shape(model, init, tokenizer)),
      pad(static_cast<int32_t>(tokenizer.eos_id().value_or(0))),
      eos(tokenizer.eos_id() ? std::vector<int32_t>{static_cast<int32_t>(*tokenizer.eos_id())} : std::vector<int32_t>{}) {
  log::info("backend: {}; {}", backend->description(), comm->name());
}

void score_at_sampling_temperature(const RolloutConfig& rollout, Transformer& policy, Transformer* reference) {
  policy.set_logit_temperature(rollout.sampling.temperature);
  if (reference) reference->set_logit_temperature(rollout.sampling.temperature);
}

int rollout_length(const PromptedQuestions& pq, const ModelConfig& model, int max_new_tokens) {
  return static_cast<int>(std::min<size_t>(static_cast<size_t>(model.max_seq_len),
                                           pq.longest_prompt + static_cast<size_t>(std::max(1, max_new_tokens))));
}

ScoredRollout step_rollout(GenerationEngine& engine, const OnlineRun& run, const PromptedQuestions& pq, QuestionSampler& sampler,
                           const RolloutConfig& rollout, const Rewards& rewards, int64_t step) {
  const int rank = run.comm->rank(), here = run.questions_here;
  const auto all_q = sampler.next(static_cast<size_t>(rollout.questions_per_step));
  const std::vector<size_t> mine(all_q.begin() + rank * here, all_q.begin() + (rank + 1) * here);
  SamplingConfig sampling = rollout.sampling;
  sampling.seed = mix64(rollout.sampling.seed ^ mix64(static_cast<uint64_t>(step) * 1000003u + static_cast<uint64_t>(rank)));
  ScoredRollout out;
  Stopwatch gen_clock;
  out.rollout = sample_rollout(engine, run.tokenizer, pq, mine, rollout.group_size, sampling, run.eos);
  out.generation_s = gen_clock.seconds();
  Stopwatch score_clock;
  out.scored = score_rollout(rewards, pq, out.rollout);
  out.scoring_s = score_clock.seconds();
  return out;
}

std::optional<std::filesystem::path> resume_checkpoint(const CheckpointStore& store, const RunOptions& run) {
  auto latest = store.latest();
  if (latest && !run.resume)
    fail_hint("pass --resume to continue it, or choose another --run-dir", "run directory '{}' already holds checkpoints (latest {})",
              run.run_dir.string(), latest->filename().string());
  if (latest) log::info("resuming from {}", latest->string());
  return latest;
}

bool checkpoint_due(Communicator& comm, const CheckpointConfig& checkpoint, int64_t step, int64_t max_steps, bool& stop) {
  double s = stop_requested() ? 1.0 : 0.0;  // a scheduler's stop signal on any rank
  comm.allreduce_sum(std::span<double>(&s, 1));
  stop = s > 0;
  return (checkpoint.every_steps > 0 && step % checkpoint.every_steps == 0) || step == max_steps || stop;
}

}  // namespace dsmath::rl
