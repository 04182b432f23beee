#include "rl/grpo.hpp"

#include <algorithm>
#include <cmath>

#include "backend/create.hpp"
#include "config/load.hpp"
#include "config/json_writer.hpp"
#include "config/yaml_writer.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/stop_signal.hpp"
#include "core/strings.hpp"
#include "core/timer.hpp"
#include "data/jsonl.hpp"
#include "dist/launch.hpp"
#include "eval/run_eval.hpp"
#include "infer/generation_engine.hpp"
#include "io/checkpoint_store.hpp"
#include "io/hf_model.hpp"
#include "io/safetensors.hpp"
#include "rl/coefficients.hpp"
#include "rl/iterative.hpp"
#include "rl/online_run.hpp"
#include "rl/policy_update.hpp"
#include "rl/rewards.hpp"
#include "rl/rl_data.hpp"
#include "rl/rollout_metrics.hpp"
#include "rl/rollout.hpp"
#include "tokenizer/chat_template.hpp"
#include "train/checkpointing.hpp"
#include "train/metrics_log.hpp"
#include "train/model_setup.hpp"
#include "train/reward_model.hpp"
#include "train/trainer.hpp"

namespace dsmath::rl {

namespace fs = std::filesystem;

void GrpoConfig::validate() const {
  if (algorithm.advantage == AdvantageKind::process) {
    int process_models = 0;
    for (const auto& r : rewards) process_models += r.kind == "model" && r.model_kind == RewardKind::process;
    if (process_models != 1)
      fail_hint("add rewards: [{kind: model, model: PRM_DIR, model_kind: process}]",
                "algorithm.advantage process needs exactly one process reward model (found {})", process_models);
    // the process advantage is built from step rewards alone: another source would be ignored
    if (rewards.size() > 1)
      fail_hint("drop the other rewards, or use advantage: outcome to sum them",
                "algorithm.advantage process uses only the process reward model's step scores; rewards has {} sources",
                rewards.size());
  }
  if (algorithm.advantage == AdvantageKind::online_rft)
    for (const auto& r : rewards)
      if (r.kind != "rule")
        fail_hint("use rewards: [{kind: rule}] with online_rft",
                  "algorithm.advantage online_rft keeps the outputs the rule grader accepts; a '{}' reward would not be used",
                  r.kind);
  for (const auto& r : rewards)
    if (r.kind == "model" && r.model.empty()) fail_hint("set rewards[].model", "a 'model' reward needs a reward model directory");
  if (iterative.every_steps > 0 && iterative.reward_model_steps > 0) {
    int models = 0;
    for (const auto& r : rewards) models += r.kind == "model";
    if (models != 1)
      fail_hint(models == 0 ? "add rewards: [{kind: model, model: RM_DIR}] or set iterative.reward_model_steps: 0"
                            : "keep one reward model in rewards, or set iterative.reward_model_steps: 0",
                "iterative.reward_model_steps retrains the run's reward model; rewards has {} reward models", models);
  }
  if (train.micro_batch_size > rollout.questions_per_step * rollout.group_size)
    log::warn("train.micro_batch_size ({}) exceeds the sequences of a step ({})", train.micro_batch_size,
              rollout.questions_per_step * rollout.group_size);
}

namespace {

std::vector<float> read_flat_weights(const fs::path& file, int64_t expected) {
  SafetensorsReader r(file);
  auto w = r.read_f32("weights");
  if (static_cast<int64_t>(w.size()) != expected)
    fail("{}: {} reference weights, the model has {}", file.string(), w.size(), expected);
  return w;
}

void write_flat_weights(const fs::path& file, const std::vector<float>& w) {
  SafetensorsWriter writer;
  writer.add("weights", {static_cast<int64_t>(w.size())}, w);
  writer.write(file);
}

}  // namespace

namespace {

// Phase 3 (Table 10's gradient coefficient): one RolloutSample per output, its coefficient on
// every token.
std::vector<RolloutSample> coefficient_samples(const Rollout& rollout, const PromptedQuestions& pq,
                                               const std::vector<SampleRewards>& scored, int G, AdvantageKind kind,
                                               const AdvantageConfig& adv, double& zero_std_groups) {
  std::vector<RolloutSample> samples(rollout.outputs.size());
  for (size_t g0 = 0; g0 < samples.size(); g0 += static_cast<size_t>(G)) {
    std::vector<int> n_tokens;
    for (int g = 0; g < G; ++g) n_tokens.push_back(static_cast<int>(rollout.outputs[g0 + static_cast<size_t>(g)].tokens.size()));
    auto c = group_coefficients(kind, std::span(scored).subspan(g0, static_cast<size_t>(G)), n_tokens, adv);
    zero_std_groups += c.zero_std;
    for (int g = 0; g < G; ++g) {
      const size_t i = g0 + static_cast<size_t>(g);
      RolloutSample& s = samples[i];
      s.prompt = pq.prompts[rollout.question[i]];
      s.completion = rollout.outputs[i].tokens;
      s.sampler_logp = rollout.outputs[i].logprobs;
      s.advantages = std::move(c.per_token[static_cast<size_t>(g)]);
    }
  }
  return samples;
}

}  // namespace

GrpoSummary run_grpo(const GrpoConfig& cfg, const RunOptions& run) {
  install_stop_handlers();
  const OnlineRun setup("GRPO", config::to_yaml_text(cfg), cfg.runtime, cfg.dist, run, cfg.rollout, cfg.algorithm.minibatches,
                        cfg.tokenizer, cfg.init, cfg.model);
  Backend* backend = setup.backend.get();
  Communicator& comm = *setup.comm;
  const std::string& config_yaml = setup.config_yaml;
  const std::string& config_hash = setup.config_hash;
  const std::string& tokenizer_path = setup.tokenizer_path;
  const Tokenizer& tokenizer = setup.tokenizer;
  const ModelConfig& model_config = setup.model_config;
  const int world = comm.world_size();
  const int questions_total = cfg.rollout.questions_per_step, questions_here = setup.questions_here;
  const int G = cfg.rollout.group_size;

  // policy, reference
  Transformer policy(model_config, *backend, {true, cfg.train.recompute_activations, cfg.train.head_chunk_rows});
  const bool use_kl = cfg.algorithm.loss.beta > 0;
  std::unique_ptr<Transformer> reference;
  if (use_kl) reference = std::make_unique<Transformer>(model_config, *backend, TransformerOptions{false});
  score_at_sampling_temperature(cfg.rollout, policy, reference.get());

  const PromptedQuestions pq =
      prompt_questions(load_rl_questions(cfg.data), tokenizer, setup.chat, cfg.data.prompt_suffix, model_config.max_seq_len);
  QuestionSampler sampler(pq.questions.size(), cfg.train.seed);
  Rewards rewards(cfg.rewards, cfg.data.answer_style, *backend, tokenizer,
                  cfg.iterative.every_steps > 0 && cfg.iterative.reward_model_steps > 0);
  const int64_t updates_per_step = static_cast<int64_t>(cfg.algorithm.policy_epochs) * cfg.algorithm.minibatches;
  Trainer trainer(policy, comm, cfg.optim, cfg.train, cfg.dist, cfg.train.max_steps * updates_per_step);
  if (world > 1) log::info("{}", trainer.reduction_description());
  CheckpointStore store(run.run_dir / "checkpoints", cfg.checkpoint.keep_last);
  const DType model_dtype = parse_weight_dtype(cfg.checkpoint.dtype);

  // where the reference comes from: its own directory, or the initial policy
  const InitConfig reference_init{cfg.reference.empty() ? cfg.init.from : cfg.reference, cfg.init.seed};
  int64_t step = 0, reference_step = 0;
  RewardModelRefresh rm_refresh(rewards, cfg.rewards, cfg.iterative);
  if (auto latest = resume_checkpoint(store, run)) {
    const Json state = load_checkpoint(*latest, policy, trainer.optimizer());
    try {
      trainer.restore(state.at("trainer"));
      sampler.restore(state.at("data"));
      step = state.at("step").get<int64_t>();
      reference_step = state.value("reference_step", int64_t{0});
    } catch (const Json::exception& e) {
      fail("{}/trainer_state.json: {}", latest->string(), e.what());
    }
    if (reference) {
      if (fs::exists(*latest / "reference.safetensors"))
        reference->set_parameters(read_flat_weights(*latest / "reference.safetensors", policy.num_params()));
      else
        initialize_weights(*reference, reference_init);
    }
    if (Transformer* rm = rm_refresh.model(); rm && fs::exists(*latest / "reward_model" / "config.json"))
      rm->set_parameters(read_hf_weights(*latest / "reward_model", rm->config()));
    rm_refresh.restore(*latest / "reward_model_replay.jsonl");
  } else {
    const auto initial = initialize_weights(policy, cfg.init);
    if (trainer.optimizer().has_master()) trainer.optimizer().set_master(initial);
    if (reference) initialize_weights(*reference, reference_init);
  }
  if (comm.is_root()) {
    make_directories(run.run_dir);
    write_file_atomic(run.run_dir / "config.yaml", config_yaml);
  }
  MetricsLog metrics(run.run_dir / "metrics.jsonl", step > 0 ? step : -1);
  std::vector<std::string> logged_samples;
  if (comm.is_root() && fs::exists(run.run_dir / "samples.jsonl")) {
    // keep samples of steps up to the checkpoint; the file is rewritten whole at each save
    LineReader r(run.run_dir / "samples.jsonl");
    std::string line;
    while (r.next(line))
      if (!line.empty() && Json::parse(line).value("step", int64_t{0}) <= step) logged_samples.push_back(line);
  }

  std::optional<eval::EvalConfig> eval_config;
  if (!cfg.eval.config.empty()) {
    eval_config = config::load_config<eval::EvalConfig>({fs::path(cfg.eval.config), {}});
    if (cfg.eval.limit > 0) eval_config->limit = cfg.eval.limit;
  }
  auto evaluate = [&](int64_t at_step) -> Json {
    if (!eval_config) return nullptr;
    const fs::path out = comm.is_root() ? run.run_dir / "eval" / CheckpointStore::step_name(at_step) : fs::path();
    if (!out.empty() && fs::exists(out / "summary.json")) fs::remove_all(out);
    const auto summary = eval::run_eval(*eval_config, policy, tokenizer, {cfg.rollout.batch, out, config::to_json(*eval_config)});
    Json j = Json::object();
    for (const auto& [name, value] : summary.metrics) j["eval_" + name] = value;
    log::info("eval at step {}: {}", at_step, j.dump());
    return j;
  };

  const int32_t pad = setup.pad;
  GenerationEngine engine(policy, cfg.rollout.batch, rollout_length(pq, model_config, cfg.rollout.sampling.max_new_tokens));
  const AdvantageConfig adv_cfg{cfg.algorithm.bessel, cfg.algorithm.advantage_eps, cfg.algorithm.scale_rewards};
  GrpoSummary summary;
  summary.steps = step;
  summary.start_step = step;
  Progress progress("grpo", static_cast<uint64_t>(cfg.train.max_steps), "steps");
  log::info("GRPO: {} questions, {} per step x G = {}, {} update(s) per rollout, beta {}, LR {}, coefficient {}",
            pq.questions.size(), questions_total, G, updates_per_step, cfg.algorithm.loss.beta, cfg.optim.lr_peak,
            config::enum_name(cfg.algorithm.advantage));

  while (step < cfg.train.max_steps) {
    ++step;
    comm.note_step(step);
    Stopwatch step_clock;
    // 1-2. rollout and scoring: this rank's questions, G outputs each, their rewards
    const ScoredRollout step_out = step_rollout(engine, setup, pq, sampler, cfg.rollout, rewards, step);
    const Rollout& rollout = step_out.rollout;
    const auto& scored = step_out.scored;
    const double t_gen = step_out.generation_s, t_score = step_out.scoring_s;
    // 3. the gradient coefficient per token
    double zero_std_groups = 0;
    std::vector<RolloutSample> samples =
        coefficient_samples(rollout, pq, scored, G, cfg.algorithm.advantage, adv_cfg, zero_std_groups);
    // 4. the policy update: reference log-probs, then mu passes of minibatch steps
    Stopwatch train_clock;
    if (reference) completion_logprobs(*reference, samples, cfg.train.micro_batch_size, pad, &RolloutSample::ref_logp);
    const UpdateResult update = update_policy(trainer, comm, policy, samples, cfg.algorithm, cfg.train.micro_batch_size,
                                              cfg.rollout.sampling.max_new_tokens, use_kl, pad);
    const double t_train = train_clock.seconds();

    Json line = rollout_step_metrics(comm, cfg.rewards, cfg.rollout.questions_per_step, G, rollout, scored, update, zero_std_groups);
    line["step"] = step;
    line["time_generation_s"] = t_gen;
    line["time_scoring_s"] = t_score;
    line["time_training_s"] = t_train;
    line["step_time_s"] = step_clock.seconds();
    line["rollout_tokens_per_s"] = line["completion_length_mean"].get<double>() * G * questions_here / std::max(1e-9, t_gen);
    line["time"] = utc_timestamp();

    // 5. iterative RL (Algorithm 1): the outputs as the reward model's new data; reference refresh
    rm_refresh.add(pq, rollout, scored);
    if (cfg.iterative.every_steps > 0 && step % cfg.iterative.every_steps == 0) {
      if (reference) {
        reference->set_parameters(policy.get_parameters());
        reference_step = step;
        log::info("iterative RL: the reference model is now the policy of step {}", step);
      }
      SamplingConfig labelling = cfg.rollout.sampling;
      labelling.seed = mix64(cfg.rollout.sampling.seed ^ static_cast<uint64_t>(step) ^ (static_cast<uint64_t>(comm.rank()) << 40));
      rm_refresh.retrain(comm, tokenizer, engine, labelling, setup.eos, cfg.data.answer_style, cfg.train, cfg.dist,
                         mix64(cfg.train.seed ^ static_cast<uint64_t>(step)));
    }
    if (eval_config && cfg.eval.every_steps > 0 && step % cfg.eval.every_steps == 0 && step < cfg.train.max_steps) {
      const Json e = evaluate(step);
      for (auto it = e.begin(); it != e.end(); ++it) line[it.key()] = *it;
    }
    if (comm.is_root()) metrics.write(line);
    const double reward_mean = line["reward_mean"].get<double>(), accuracy = line["accuracy"].get<double>();
    if (step == summary.start_step + 1) {
      summary.first_reward = reward_mean;
      summary.first_accuracy = accuracy;
    }
    summary.last_reward = reward_mean;
    summary.last_accuracy = accuracy;
    summary.steps = step;
    if (comm.is_root() && cfg.log_samples_every > 0 && step % cfg.log_samples_every == 0) {
      for (size_t i = 0; i < std::min<size_t>(samples.size(), static_cast<size_t>(G)); ++i)
        logged_samples.push_back(Json{{"step", step}, {"question", pq.questions[rollout.question[i]].question},
                                      {"gold", pq.questions[rollout.question[i]].gold},
                                      {"completion", rollout.completions[i]}, {"reward", scored[i].total},
                                      {"correct", scored[i].correct},
                                      {"advantage", samples[i].advantages.empty() ? 0.0 : samples[i].advantages[0]},
                                      {"finish_reason", finish_reason_name(rollout.outputs[i].finish)}}
                                     .dump());
    }
    log::info("step {}/{} | reward {:.3f} | acc {:.3f} | kl {:.4f} | len {:.0f} | gen {:.1f}s score {:.1f}s train {:.1f}s",
              step, cfg.train.max_steps, reward_mean, accuracy, line["kl"].get<double>(),
              line["completion_length_mean"].get<double>(), t_gen, t_score, t_train);
    progress.update(static_cast<uint64_t>(step), fmt::format("reward {:.3f}", reward_mean));
    maybe_inject_fault("kill_after_step", step, comm.rank());

    // 6. checkpointing
    bool stop = false;
    if (checkpoint_due(comm, cfg.checkpoint, step, cfg.train.max_steps, stop)) {
      Json state{{"format", "dsmath-trainer-state-1"}, {"stage", "grpo"},     {"step", step},
                 {"world_size", world},                {"config_hash", config_hash}, {"trainer", trainer.state()},
                 {"data", sampler.state()},            {"reference_step", reference_step}, {"time", utc_timestamp()}};
      CheckpointContents contents{policy, trainer.optimizer(), state, config_yaml, tokenizer_path, model_dtype};
      contents.extra_files = [&](const fs::path& dir) {
        if (reference && reference_step > 0) write_flat_weights(dir / "reference.safetensors", reference->get_parameters());
        if (Transformer* rm = rm_refresh.model(); rm && step >= cfg.iterative.every_steps) {  // retrained at least once
          make_directories(dir / "reward_model");
          write_hf_model(dir / "reward_model", rm->config(), rm->get_parameters(), DType::f32);
        }
        rm_refresh.save(dir / "reward_model_replay.jsonl");
      };
      summary.checkpoint = save_checkpoint(store, comm, step, contents);
      if (comm.is_root()) {
        std::string text;
        for (const auto& l : logged_samples) text += l + "\n";
        write_file_atomic(run.run_dir / "samples.jsonl", text);
      }
      log::info("checkpoint: {}", summary.checkpoint.string());
    }
    if (stop) {
      log::warn("stopping after step {} on a stop signal; the checkpoint is written: rerun with --resume", step);
      summary.stopped_early = true;
      break;
    }
  }
  progress.finish();
  if (eval_config) summary.last_eval = evaluate(step);
  if (summary.checkpoint.empty())
    if (auto latest = store.latest()) summary.checkpoint = *latest;
  return summary;
}

}  // namespace dsmath::rl
