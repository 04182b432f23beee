#include "rl/ppo.hpp"

#include <algorithm>
#include <cmath>

#include "config/yaml_writer.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/stop_signal.hpp"
#include "core/strings.hpp"
#include "core/timer.hpp"
#include "infer/generation_engine.hpp"
#include "io/checkpoint_store.hpp"
#include "rl/online_run.hpp"
#include "rl/policy_update.hpp"
#include "rl/ppo_loss.hpp"
#include "rl/rewards.hpp"
#include "rl/rl_data.hpp"
#include "rl/rollout.hpp"
#include "rl/rollout_metrics.hpp"
#include "train/checkpointing.hpp"
#include "train/metrics_log.hpp"
#include "train/model_setup.hpp"
#include "train/trainer.hpp"

namespace dsmath::rl {

namespace fs = std::filesystem;

void PpoConfig::validate() const {
  for (const auto& r : rewards) {
    if (r.kind == "model" && r.model.empty()) fail_hint("set rewards[].model", "a 'model' reward needs a reward model directory");
    if (r.kind == "model" && r.model_kind == RewardKind::process)
      fail_hint("use an outcome reward model with dsmath ppo (process rewards: dsmath grpo with advantage: process)",
                "PPO scores the whole output (equation 2's r_phi at the last token); a process reward model was given");
  }
}

namespace {

// The value model's start (ppo_config.hpp): value.from, else the outcome reward model, else the policy.
InitConfig value_init(const PpoConfig& cfg) {
  if (!cfg.value.from.empty()) return {cfg.value.from, cfg.init.seed};
  for (const auto& r : cfg.rewards)
    if (r.kind == "model") return {r.model, cfg.init.seed};
  return cfg.init;
}

// Phase 3, PPO's gradient coefficient: equation 2's rewards, then GAE on the value model's V_old.
// Returns the sum over tokens of the k1 KL estimate log pi_old - log pi_ref.
double ppo_coefficients(std::vector<RolloutSample>& samples, const std::vector<SampleRewards>& scored,
                        const PpoAlgorithmConfig& alg, bool use_kl) {
  double kl_sum = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    RolloutSample& s = samples[i];
    const std::vector<float>& ref = use_kl ? s.ref_logp : s.old_logp;  // no reference: KL 0
    for (size_t t = 0; t < s.old_logp.size(); ++t) kl_sum += static_cast<double>(s.old_logp[t]) - ref[t];
    const auto rewards = kl_penalized_rewards(s.old_logp, ref, scored[i].total, alg.kl_coef);
    GaeResult g = gae(rewards, s.old_values, alg.gamma, alg.lambda);
    s.advantages = std::move(g.advantages);
    s.returns = std::move(g.returns);
  }
  return kl_sum;
}

}  // namespace

PpoSummary run_ppo(const PpoConfig& cfg, const RunOptions& run) {
  install_stop_handlers();
  const OnlineRun setup("PPO", config::to_yaml_text(cfg), cfg.runtime, cfg.dist, run, cfg.rollout, cfg.algorithm.minibatches,
                        cfg.tokenizer, cfg.init, cfg.model);
  Backend& backend = *setup.backend;
  Communicator& comm = *setup.comm;
  const int questions_total = cfg.rollout.questions_per_step, G = cfg.rollout.group_size;

  // policy, reference, value model
  const TransformerOptions trained{true, cfg.train.recompute_activations, cfg.train.head_chunk_rows};
  Transformer policy(setup.model_config, backend, trained);
  const bool use_kl = cfg.algorithm.kl_coef > 0;
  std::unique_ptr<Transformer> reference;
  if (use_kl) reference = std::make_unique<Transformer>(setup.model_config, backend, TransformerOptions{false});
  score_at_sampling_temperature(cfg.rollout, policy, reference.get());
  const InitConfig value_from = value_init(cfg);
  const ModelConfig value_config = resolve_model_config(cfg.model, value_from, ModelHead::scalar);
  check_tokenizer_fits(setup.tokenizer, value_config.vocab_size, value_from.from);
  Transformer value(value_config, backend, trained);
  log::info("value model: {} ({} parameters)", value_from.from.empty() ? "drawn at random" : "from " + value_from.from,
            value.num_params());

  const PromptedQuestions pq =
      prompt_questions(load_rl_questions(cfg.data), setup.tokenizer, setup.chat, cfg.data.prompt_suffix,
                       setup.model_config.max_seq_len);
  QuestionSampler sampler(pq.questions.size(), cfg.train.seed);
  Rewards rewards(cfg.rewards, cfg.data.answer_style, backend, setup.tokenizer);
  const int64_t updates_per_step = static_cast<int64_t>(cfg.algorithm.policy_epochs) * cfg.algorithm.minibatches;
  Trainer trainer(policy, comm, cfg.optim, cfg.train, cfg.dist, cfg.train.max_steps * updates_per_step);
  OptimConfig value_optim = cfg.optim;
  if (cfg.value.lr_peak > 0) value_optim.lr_peak = cfg.value.lr_peak;
  DistConfig value_dist = cfg.dist;
  value_dist.zero1 = false;  // replicated: rank 0 checkpoints the value model's whole state
  Trainer value_trainer(value, comm, value_optim, cfg.train, value_dist, cfg.train.max_steps * updates_per_step);
  CheckpointStore store(run.run_dir / "checkpoints", cfg.checkpoint.keep_last);
  const DType model_dtype = parse_weight_dtype(cfg.checkpoint.dtype);

  const InitConfig reference_init{cfg.reference.empty() ? cfg.init.from : cfg.reference, cfg.init.seed};
  int64_t step = 0;
  if (auto latest = resume_checkpoint(store, run)) {
    const Json state = load_checkpoint(*latest, policy, trainer.optimizer());
    const Json value_state = load_checkpoint(*latest / "value_model", value, value_trainer.optimizer());
    try {
      trainer.restore(state.at("trainer"));
      value_trainer.restore(value_state.at("trainer"));
      sampler.restore(state.at("data"));
      step = state.at("step").get<int64_t>();
    } catch (const Json::exception& e) {
      fail("{}/trainer_state.json: {}", latest->string(), e.what());
    }
  } else {
    const auto initial = initialize_weights(policy, cfg.init);
    if (trainer.optimizer().has_master()) trainer.optimizer().set_master(initial);
    const auto initial_value = initialize_weights(value, value_from);
    if (value_trainer.optimizer().has_master()) value_trainer.optimizer().set_master(initial_value);
  }
  if (reference) initialize_weights(*reference, reference_init);
  if (comm.is_root()) {
    make_directories(run.run_dir);
    write_file_atomic(run.run_dir / "config.yaml", setup.config_yaml);
  }
  MetricsLog metrics(run.run_dir / "metrics.jsonl", step > 0 ? step : -1);

  const int32_t pad = setup.pad;
  GenerationEngine engine(policy, cfg.rollout.batch, rollout_length(pq, setup.model_config, cfg.rollout.sampling.max_new_tokens));
  // the policy update of equation 1 is GRPO's clipped surrogate without its in-loss KL
  AlgorithmConfig policy_alg;
  policy_alg.loss = {.beta = 0, .clip_low = cfg.algorithm.clip, .clip_high = cfg.algorithm.clip,
                     .aggregation = cfg.algorithm.aggregation};
  policy_alg.policy_epochs = cfg.algorithm.policy_epochs;
  policy_alg.minibatches = cfg.algorithm.minibatches;
  const int micro = cfg.train.micro_batch_size, max_new = cfg.rollout.sampling.max_new_tokens;

  PpoSummary summary;
  summary.steps = summary.start_step = step;
  Progress progress("ppo", static_cast<uint64_t>(cfg.train.max_steps), "steps");
  log::info("PPO: {} questions, {} per step x {} = {} outputs, {} update(s) per rollout, kl_coef {}, gamma {}, lambda {}, LR {}",
            pq.questions.size(), questions_total, G, questions_total * G, updates_per_step, cfg.algorithm.kl_coef,
            cfg.algorithm.gamma, cfg.algorithm.lambda, cfg.optim.lr_peak);

  while (step < cfg.train.max_steps) {
    ++step;
    comm.note_step(step);
    Stopwatch step_clock;
    // 1-2. rollout and scoring, as GRPO's: the outputs and their r_phi(q, o)
    const ScoredRollout step_out = step_rollout(engine, setup, pq, sampler, cfg.rollout, rewards, step);
    const Rollout& rollout = step_out.rollout;
    const auto& scored = step_out.scored;
    const double t_gen = step_out.generation_s, t_score = step_out.scoring_s;
    // 3. the gradient coefficient: log pi_old, log pi_ref and V_old of every completion token,
    //    equation 2's rewards, GAE, whitening
    Stopwatch train_clock;
    std::vector<RolloutSample> samples(rollout.outputs.size());
    for (size_t i = 0; i < samples.size(); ++i) {
      samples[i].prompt = pq.prompts[rollout.question[i]];
      samples[i].completion = rollout.outputs[i].tokens;
      samples[i].sampler_logp = rollout.outputs[i].logprobs;
    }
    completion_logprobs(policy, samples, micro, pad, &RolloutSample::old_logp);
    if (reference) completion_logprobs(*reference, samples, micro, pad, &RolloutSample::ref_logp);
    completion_logprobs(value, samples, micro, pad, &RolloutSample::old_values);
    const double kl_sum = ppo_coefficients(samples, scored, cfg.algorithm, use_kl);
    double raw[4] = {0, 0, 0, 0};  // tokens, sums of the advantages (before whitening), returns and V_old
    for (const auto& s : samples)
      for (size_t t = 0; t < s.advantages.size(); ++t) {
        raw[0] += 1;
        raw[1] += s.advantages[t];
        raw[2] += s.returns[t];
        raw[3] += s.old_values[t];
      }
    if (cfg.algorithm.whiten_advantages) whiten_advantages(samples, comm);
    // 4. the updates: a policy step, then a value step, on each minibatch (TRL's order)
    ValueStats value_stats;
    StepStats value_last;
    const UpdateResult update = update_policy(
        trainer, comm, policy, samples, policy_alg, micro, max_new, false, pad, [&](size_t begin, size_t end) {
          double global[2] = {static_cast<double>(end - begin), 0.0};
          for (size_t i = begin; i < end; ++i) global[1] += static_cast<double>(samples[i].completion.size());
          comm.allreduce_sum(std::span<double>(global, 2));
          value_trainer.begin_step();
          const auto mbs = micro_batches(samples, begin, end, micro);
          for (size_t k = 0; k < mbs.size(); ++k)
            value_trainer.accumulate(rollout_batch(mbs[k], pad),
                                     ppo_value_objective(mbs[k], cfg.algorithm.aggregation, cfg.algorithm.clip_value,
                                                         cfg.algorithm.vf_coef, global[0], global[1], max_new, value_stats),
                                     false, k + 1 == mbs.size());
          value_last = value_trainer.finish_step();
        });
    const double t_train = train_clock.seconds();

    // 5. metrics: the shared ones, "kl" the k1 estimate in the reward, the value model's
    Json line = rollout_step_metrics(comm, cfg.rewards, questions_total, G, rollout, scored, update, 0);
    line.erase("zero_std_group_fraction");
    line.erase("frac_reward_zero_std");
    double sums[7] = {kl_sum, raw[0], raw[1], raw[2], value_stats.clipped, value_stats.tokens, raw[3]};
    comm.allreduce_sum(std::span<double>(sums, 7));
    const double n_outputs = static_cast<double>(questions_total) * G;
    line["step"] = step;
    line["kl"] = sums[1] > 0 ? sums[0] / sums[1] : 0.0;
    line["non_score_reward"] = -cfg.algorithm.kl_coef * sums[0] / n_outputs;  // TRL's objective/non_score_reward
    line["advantages_mean"] = sums[1] > 0 ? sums[2] / sums[1] : 0.0;          // before whitening
    line["returns_mean"] = sums[1] > 0 ? sums[3] / sums[1] : 0.0;
    line["values_mean"] = sums[1] > 0 ? sums[6] / sums[1] : 0.0;  // V_old
    line["value_loss"] = value_last.loss;
    line["value_grad_norm"] = value_last.grad_norm;
    line["value_clip_fraction"] = sums[5] > 0 ? sums[4] / sums[5] : 0.0;
    line["time_generation_s"] = t_gen;
    line["time_scoring_s"] = t_score;
    line["time_training_s"] = t_train;
    line["step_time_s"] = step_clock.seconds();
    line["time"] = utc_timestamp();
    if (comm.is_root()) metrics.write(line);
    const double reward_mean = line["reward_mean"].get<double>(), accuracy = line["accuracy"].get<double>();
    if (step == summary.start_step + 1) {
      summary.first_reward = reward_mean;
      summary.first_accuracy = accuracy;
    }
    summary.last_reward = reward_mean;
    summary.last_accuracy = accuracy;
    summary.steps = step;
    log::info("step {}/{} | reward {:.3f} | acc {:.3f} | kl {:.4f} | value loss {:.4f} | len {:.0f} | gen {:.1f}s train {:.1f}s",
              step, cfg.train.max_steps, reward_mean, accuracy, line["kl"].get<double>(), value_last.loss,
              line["completion_length_mean"].get<double>(), t_gen, t_train);
    progress.update(static_cast<uint64_t>(step), fmt::format("reward {:.3f}", reward_mean));
    maybe_inject_fault("kill_after_step", step, comm.rank());

    // 6. checkpointing: the policy as the checkpoint, the value model in value_model/
    bool stop = false;
    if (checkpoint_due(comm, cfg.checkpoint, step, cfg.train.max_steps, stop)) {
      const Json state{{"format", "dsmath-trainer-state-1"}, {"stage", "ppo"},     {"step", step},
                       {"world_size", comm.world_size()},    {"config_hash", setup.config_hash}, {"trainer", trainer.state()},
                       {"data", sampler.state()},            {"time", utc_timestamp()}};
      CheckpointContents contents{policy, trainer.optimizer(), state, setup.config_yaml, setup.tokenizer_path, model_dtype};
      contents.extra_files = [&](const fs::path& dir) {
        make_directories(dir / "value_model");
        write_checkpoint_files(dir / "value_model", comm,
                               {value, value_trainer.optimizer(), Json{{"trainer", value_trainer.state()}}, "", "", DType::f32});
      };
      summary.checkpoint = save_checkpoint(store, comm, step, contents);
      log::info("checkpoint: {}", summary.checkpoint.string());
    }
    if (stop) {
      log::warn("stopping after step {} on a stop signal; the checkpoint is written: rerun with --resume", step);
      summary.stopped_early = true;
      break;
    }
  }
  progress.finish();
  if (summary.checkpoint.empty())
    if (auto latest = store.latest()) summary.checkpoint = *latest;
  return summary;
}

}  // namespace dsmath::rl
