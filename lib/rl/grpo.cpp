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
#include "infer/stop_strings.hpp"
#include "io/checkpoint_store.hpp"
#include "io/hf_model.hpp"
#include "io/safetensors.hpp"
#include "rl/advantages.hpp"
#include "rl/rewards.hpp"
#include "rl/rl_data.hpp"
#include "tokenizer/chat_template.hpp"
#include "train/checkpointing.hpp"
#include "train/metrics_log.hpp"
#include "train/model_setup.hpp"
#include "train/packed_dataset.hpp"
#include "train/reward_data.hpp"
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
  }
  for (const auto& r : rewards)
    if (r.kind == "model" && r.model.empty()) fail_hint("set rewards[].model", "a 'model' reward needs a reward model directory");
  if (train.micro_batch_size > rollout.questions_per_step * rollout.group_size)
    log::warn("train.micro_batch_size ({}) exceeds the sequences of a step ({})", train.micro_batch_size,
              rollout.questions_per_step * rollout.group_size);
}

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
      double weight = 0;
      switch (config.aggregation) {
        case LossAggregation::sequence_mean: weight = 1.0 / (global_sequences * n_tokens); break;
        case LossAggregation::token_mean: weight = 1.0 / global_tokens; break;
        case LossAggregation::dr_grpo: weight = 1.0 / (global_sequences * static_cast<double>(max_new_tokens)); break;
      }
      const size_t base = r * static_cast<size_t>(b.seq) + s.prompt.size() - 1;
      for (size_t j = 0; j < s.completion.size(); ++j) {
        const size_t i = base + j;
        const double ref = use_kl ? s.ref_logp[j] : 0.0;
        const TokenLoss t = grpo_token_loss(logp[i], s.old_logp[j], ref, s.advantages[j], config, use_kl);
        loss += weight * t.loss;
        dlogp[i] = static_cast<float>(weight * t.dlogp);
        stats.kl_sum += t.kl;
        stats.clipped += t.clipped;
        stats.tokens += 1;
        if (!entropy.empty()) stats.entropy_sum += entropy[i];
        if (measure_mismatch) {
          const double d = std::fabs(static_cast<double>(logp[i]) - s.old_logp[j]);
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

// Reward-model retraining of iterative RL: BCE steps on rule-labelled samples.
struct LabelledSolution {
  std::string question, solution;
  int label;
};

void retrain_reward_model(Transformer& rm, Communicator& comm, const Tokenizer& tok, const std::vector<LabelledSolution>& fresh,
                          const std::vector<LabelledSolution>& earlier, const IterativeConfig& it, const OptimConfig& optim,
                          const TrainConfig& train, const DistConfig& dist, uint64_t seed) {
  std::vector<RewardRecord> records;
  for (const auto& s : fresh) records.push_back({s.question, {s.solution}, {s.label}, "rollout"});
  // replay: earlier data making up replay_fraction of the mix (DeepSeekMath section 4.2)
  const size_t replay = earlier.empty() ? 0
                                        : static_cast<size_t>(std::llround(it.replay_fraction / (1.0 - it.replay_fraction) *
                                                                           static_cast<double>(fresh.size())));
  Rng rng(seed);
  for (size_t k = 0; k < replay; ++k) {
    const auto& s = earlier[rng.below(earlier.size())];
    records.push_back({s.question, {s.solution}, {s.label}, "replay"});
  }
  RmDataConfig data;
  data.seq_len = rm.config().max_seq_len;
  size_t truncated = 0, dropped = 0;
  auto examples = reward_examples(records, data, tok, truncated, dropped);
  if (examples.empty()) return;
  PackedDataset dataset(std::move(examples), data.seq_len, true, static_cast<int32_t>(tok.eos_id().value_or(0)), seed);
  Trainer trainer(rm, comm, optim, train, dist, it.reward_model_steps);
  if (trainer.optimizer().has_master()) trainer.optimizer().set_master(rm.get_parameters());
  TokenBatch batch;
  double last = 0;
  for (int step = 0; step < it.reward_model_steps; ++step) {
    dataset.fill(batch, static_cast<int64_t>(step) * train.micro_batch_size, train.micro_batch_size);
    double labels = static_cast<double>(batch.count_targets());
    comm.allreduce_sum(std::span<double>(&labels, 1));
    trainer.begin_step();
    trainer.accumulate(batch, binary_cross_entropy_objective(std::max(1.0, labels)));
    last = trainer.finish_step().loss;
  }
  log::info("iterative RL: reward model trained {} steps on {} new + {} replayed samples (loss {:.4f})", it.reward_model_steps,
            fresh.size(), replay, last);
}

}  // namespace

GrpoSummary run_grpo(const GrpoConfig& cfg, const RunOptions& run) {
  install_stop_handlers();
  auto backend = create_backend({cfg.runtime.device, cfg.runtime.threads, -1});
  auto communicator = create_communicator(cfg.dist, run.run_dir / ".heartbeat", backend.get());
  Communicator& comm = *communicator;
  const std::string config_yaml = config::to_yaml_text(cfg);
  const std::string config_hash = hex64(hash64(config_yaml));
  log::info("backend: {}; {}", backend->description(), comm.name());

  const int world = comm.world_size();
  const int questions_total = cfg.rollout.questions_per_step;
  if (questions_total % world != 0)
    fail_hint("make rollout.questions_per_step a multiple of the number of ranks",
              "rollout.questions_per_step ({}) is not divisible by {} ranks", questions_total, world);
  const int questions_here = questions_total / world;
  const int G = cfg.rollout.group_size;
  const int samples_here = questions_here * G;
  if (samples_here % cfg.algorithm.minibatches != 0)
    fail_hint("pick algorithm.minibatches dividing questions_per_step x group_size / ranks",
              "{} samples per rank do not split into {} minibatches", samples_here, cfg.algorithm.minibatches);

  // tokenizer, policy, reference
  const std::string tokenizer_path = resolve_tokenizer_path(cfg.tokenizer, cfg.init, "GRPO renders its prompts with it");
  const Tokenizer tokenizer = Tokenizer::load(tokenizer_path);
  const ChatFormat chat = ChatFormat::for_tokenizer(tokenizer);
  const ModelConfig model_config = resolve_model_config(cfg.model, cfg.init);
  check_tokenizer_fits(tokenizer, model_config.vocab_size, cfg.init.from);
  Transformer policy(model_config, *backend, {true, cfg.train.recompute_activations, cfg.train.head_chunk_rows});
  const bool use_kl = cfg.algorithm.loss.beta > 0;
  std::unique_ptr<Transformer> reference;
  if (use_kl) reference = std::make_unique<Transformer>(model_config, *backend, TransformerOptions{false});

  const auto questions = load_rl_questions(cfg.data);
  QuestionSampler sampler(questions.size(), cfg.train.seed);
  Rewards rewards(cfg.rewards, cfg.data.answer_style, *backend, tokenizer,
                  cfg.iterative.every_steps > 0 && cfg.iterative.reward_model_steps > 0);
  const int64_t updates_per_step = static_cast<int64_t>(cfg.algorithm.policy_epochs) * cfg.algorithm.minibatches;
  Trainer trainer(policy, comm, cfg.optim, cfg.train, cfg.dist, cfg.train.max_steps * updates_per_step);
  if (comm.world_size() > 1) log::info("{}", trainer.reduction_description());
  CheckpointStore store(run.run_dir / "checkpoints", cfg.checkpoint.keep_last);
  const DType model_dtype = parse_weight_dtype(cfg.checkpoint.dtype);

  // where the reference comes from: its own directory, or the initial policy
  const InitConfig reference_init{cfg.reference.empty() ? cfg.init.from : cfg.reference, cfg.init.seed};
  int64_t step = 0, reference_step = 0;
  std::vector<LabelledSolution> rm_fresh, rm_earlier;
  if (auto latest = store.latest(); latest && run.resume) {
    log::info("resuming from {}", latest->string());
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
    if (Transformer* rm = rewards.outcome_model(); rm && fs::exists(*latest / "reward_model" / "config.json"))
      rm->set_parameters(read_hf_weights(*latest / "reward_model", rm->config()));
  } else if (latest) {
    fail_hint("pass --resume to continue it, or choose another --run-dir", "run directory '{}' already holds checkpoints (latest {})",
              run.run_dir.string(), latest->filename().string());
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

  const int32_t pad = static_cast<int32_t>(tokenizer.eos_id().value_or(0));
  const std::vector<int32_t> eos = tokenizer.eos_id() ? std::vector<int32_t>{static_cast<int32_t>(*tokenizer.eos_id())}
                                                      : std::vector<int32_t>{};
  GenerationEngine engine(policy, cfg.rollout.batch);
  AdvantageConfig adv_cfg{cfg.algorithm.bessel, cfg.algorithm.advantage_eps};
  GrpoSummary summary;
  summary.steps = step;
  summary.start_step = step;
  Progress progress("grpo", static_cast<uint64_t>(cfg.train.max_steps), "steps");
  log::info("GRPO: {} questions, {} per step x G = {}, {} update(s) per rollout, beta {}, LR {}", questions.size(),
            questions_total, G, updates_per_step, cfg.algorithm.loss.beta, cfg.optim.lr_peak);

  while (step < cfg.train.max_steps) {
    ++step;
    comm.note_step(step);
    Stopwatch step_clock;
    // 1. this rank's questions (every rank draws the same global list)
    const auto all_q = sampler.next(static_cast<size_t>(questions_total));
    std::vector<size_t> mine(all_q.begin() + comm.rank() * questions_here, all_q.begin() + (comm.rank() + 1) * questions_here);
    std::vector<GenerationRequest> requests;
    std::vector<std::vector<int32_t>> prompts;
    for (size_t q : mine) {
      const auto ids = tokenizer.encode(chat.prompt(questions[q].question + cfg.data.prompt_suffix), false);
      prompts.emplace_back(ids.begin(), ids.end());
      for (int g = 0; g < G; ++g) requests.push_back({prompts.back()});
    }
    // 2. rollouts: a stream per (step, rank) so samples differ across steps
    SamplingConfig sampling = cfg.rollout.sampling;
    sampling.seed = mix64(cfg.rollout.sampling.seed ^ mix64(static_cast<uint64_t>(step) * 1000003u + static_cast<uint64_t>(comm.rank())));
    Stopwatch gen_clock;
    const auto gens = engine.generate(requests, sampling, eos);
    const double t_gen = gen_clock.seconds();
    // 3. rewards
    Stopwatch score_clock;
    std::vector<std::string> q_text, golds, completions;
    std::vector<std::vector<int32_t>> tokens;
    for (size_t i = 0; i < gens.size(); ++i) {
      const auto& q = questions[mine[i / static_cast<size_t>(G)]];
      q_text.push_back(q.question);
      golds.push_back(q.gold);
      completions.push_back(completion_text(tokenizer, gens[i].tokens, {}));
      tokens.push_back(gens[i].tokens);
    }
    const auto scored = rewards.score(q_text, golds, completions, tokens);
    const double t_score = score_clock.seconds();

    // 4. advantages per group
    std::vector<RolloutSample> samples(gens.size());
    double zero_std_groups = 0;
    for (int qi = 0; qi < questions_here; ++qi) {
      const size_t g0 = static_cast<size_t>(qi) * G;
      std::vector<double> r(static_cast<size_t>(G));
      for (int g = 0; g < G; ++g) r[static_cast<size_t>(g)] = scored[g0 + static_cast<size_t>(g)].total;
      const auto [mean, sd] = mean_and_std(r, cfg.algorithm.bessel);
      if (G > 1 && sd == 0) ++zero_std_groups;
      std::vector<std::vector<double>> token_adv(static_cast<size_t>(G));
      if (cfg.algorithm.advantage == AdvantageKind::outcome) {
        const auto a = outcome_advantages(r, adv_cfg);
        for (int g = 0; g < G; ++g)
          token_adv[static_cast<size_t>(g)].assign(gens[g0 + static_cast<size_t>(g)].tokens.size(), a[static_cast<size_t>(g)]);
      } else {
        std::vector<std::vector<double>> step_r;
        std::vector<std::vector<int>> step_e;
        std::vector<int> n_tok;
        for (int g = 0; g < G; ++g) {
          step_r.push_back(scored[g0 + static_cast<size_t>(g)].step_rewards);
          step_e.push_back(scored[g0 + static_cast<size_t>(g)].step_ends);
          n_tok.push_back(static_cast<int>(gens[g0 + static_cast<size_t>(g)].tokens.size()));
        }
        token_adv = process_advantages(step_r, step_e, n_tok, adv_cfg);
      }
      for (int g = 0; g < G; ++g) {
        RolloutSample& s = samples[g0 + static_cast<size_t>(g)];
        s.prompt = prompts[static_cast<size_t>(qi)];
        s.completion = gens[g0 + static_cast<size_t>(g)].tokens;
        s.old_logp = gens[g0 + static_cast<size_t>(g)].logprobs;
        s.advantages = std::move(token_adv[static_cast<size_t>(g)]);
      }
    }
    // completions of zero tokens (impossible: generation always yields one) would have no targets
    // 5. reference log-probs, then the policy updates
    Stopwatch train_clock;
    const int micro = cfg.train.micro_batch_size;
    // samples [begin, end) in micro-batches of `micro`
    auto micro_batches = [&](size_t begin, size_t end) {
      std::vector<std::vector<const RolloutSample*>> out;
      for (size_t k = begin; k < end; k += static_cast<size_t>(micro)) {
        std::vector<const RolloutSample*> mb;
        for (size_t j = k; j < std::min(end, k + static_cast<size_t>(micro)); ++j) mb.push_back(&samples[j]);
        out.push_back(std::move(mb));
      }
      return out;
    };
    if (reference) {
      for (const auto& mb : micro_batches(0, samples.size())) {
        const TokenBatch b = rollout_batch(mb, pad);
        reference->forward(b, false);
        const auto lp = reference->logprobs();
        for (size_t r = 0; r < mb.size(); ++r) {
          auto* s = const_cast<RolloutSample*>(mb[r]);
          const size_t base = r * static_cast<size_t>(b.seq) + s->prompt.size() - 1;
          s->ref_logp.assign(lp.begin() + static_cast<ptrdiff_t>(base), lp.begin() + static_cast<ptrdiff_t>(base + s->completion.size()));
        }
      }
    }
    UpdateStats stats;
    StepStats last{};
    const size_t per_mb = samples.size() / static_cast<size_t>(cfg.algorithm.minibatches);
    for (int epoch = 0; epoch < cfg.algorithm.policy_epochs; ++epoch) {
      for (int m = 0; m < cfg.algorithm.minibatches; ++m) {
        // minibatch m: samples [m * per_mb, (m + 1) * per_mb)
        const size_t begin = static_cast<size_t>(m) * per_mb, end = begin + per_mb;
        double global[2] = {static_cast<double>(per_mb), 0.0};
        for (size_t i = begin; i < end; ++i) global[1] += static_cast<double>(samples[i].completion.size());
        comm.allreduce_sum(std::span<double>(global, 2));
        trainer.begin_step();
        // the sampler's log-probs should equal the policy's before its first update here
        const bool measure = epoch == 0 && m == 0;
        const auto mbs = micro_batches(begin, end);
        for (size_t k = 0; k < mbs.size(); ++k) {
          const TokenBatch b = rollout_batch(mbs[k], pad);
          trainer.accumulate(b,
                             grpo_objective(mbs[k], cfg.algorithm.loss, global[0], global[1],
                                            cfg.rollout.sampling.max_new_tokens, use_kl, measure, &policy, stats),
                             /*want_entropy=*/true, /*last=*/k + 1 == mbs.size());
        }
        last = trainer.finish_step();
      }
    }
    const double t_train = train_clock.seconds();

    // 6. metrics (summed over ranks)
    double sums[12] = {0};
    double len_max = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      sums[0] += scored[i].total;
      sums[1] += scored[i].total * scored[i].total;
      sums[2] += scored[i].correct;
      sums[3] += static_cast<double>(samples[i].completion.size());
      sums[4] += gens[i].finish == FinishReason::length;
      len_max = std::max(len_max, static_cast<double>(samples[i].completion.size()));
    }
    sums[5] = zero_std_groups;
    sums[6] = stats.kl_sum;
    sums[7] = stats.entropy_sum;
    sums[8] = stats.clipped;
    sums[9] = stats.tokens;
    sums[10] = stats.mismatch_sum;
    sums[11] = stats.mismatch_tokens;
    comm.allreduce_sum(std::span<double>(sums, 12));
    std::vector<double> by_source(cfg.rewards.size(), 0.0);
    for (const auto& s : scored)
      for (size_t k = 0; k < by_source.size(); ++k) by_source[k] += s.by_source[k];
    comm.allreduce_sum(by_source);
    const double n = static_cast<double>(questions_total) * G;
    const double reward_mean = sums[0] / n;
    Json line{{"step", step},
              {"reward_mean", reward_mean},
              {"reward_std", std::sqrt(std::max(0.0, sums[1] / n - reward_mean * reward_mean))},
              {"accuracy", sums[2] / n},
              {"kl", sums[9] > 0 ? sums[6] / sums[9] : 0.0},
              {"entropy", sums[9] > 0 ? sums[7] / sums[9] : 0.0},
              {"clip_fraction", sums[9] > 0 ? sums[8] / sums[9] : 0.0},
              {"completion_length_mean", sums[3] / n},
              {"completion_length_max", len_max},
              {"truncated_fraction", sums[4] / n},
              {"zero_std_group_fraction", sums[5] / questions_total},
              {"logprob_mismatch", sums[11] > 0 ? sums[10] / sums[11] : 0.0},
              {"logprob_mismatch_max", stats.mismatch_max},
              {"loss", last.loss},
              {"grad_norm", last.grad_norm},
              {"lr", last.lr},
              {"time_generation_s", t_gen},
              {"time_scoring_s", t_score},
              {"time_training_s", t_train},
              {"step_time_s", step_clock.seconds()},
              {"rollout_tokens_per_s", sums[3] / std::max(1e-9, t_gen) / world},
              {"time", utc_timestamp()}};
    for (size_t k = 0; k < cfg.rewards.size(); ++k) line["reward_" + cfg.rewards[k].kind + "_mean"] = by_source[k] / n;

    // 7. iterative RL: rule-labelled samples for the reward model; reference refresh
    if (rewards.outcome_model() != nullptr && cfg.iterative.reward_model_steps > 0)
      for (size_t i = 0; i < samples.size(); ++i) rm_fresh.push_back({q_text[i], completions[i], scored[i].correct ? 1 : 0});
    if (cfg.iterative.every_steps > 0 && step % cfg.iterative.every_steps == 0) {
      if (reference) {
        reference->set_parameters(policy.get_parameters());
        reference_step = step;
        log::info("iterative RL: the reference model is now the policy of step {}", step);
      }
      if (Transformer* rm = rewards.outcome_model(); rm && cfg.iterative.reward_model_steps > 0) {
        TrainConfig rm_train = cfg.train;
        rm_train.micro_batch_size = std::max(1, micro);
        retrain_reward_model(*rm, comm, tokenizer, rm_fresh, rm_earlier, cfg.iterative,
                             OptimConfig{.lr_peak = 1e-5, .schedule = LrSchedule::constant, .weight_decay = 0.0}, rm_train,
                             cfg.dist, mix64(cfg.train.seed ^ static_cast<uint64_t>(step)));
        rm_earlier.insert(rm_earlier.end(), rm_fresh.begin(), rm_fresh.end());
        rm_fresh.clear();
      }
    }
    if (eval_config && cfg.eval.every_steps > 0 && step % cfg.eval.every_steps == 0 && step < cfg.train.max_steps) {
      const Json e = evaluate(step);
      for (auto it = e.begin(); it != e.end(); ++it) line[it.key()] = *it;
    }
    if (comm.is_root()) metrics.write(line);
    if (step == summary.start_step + 1) {
      summary.first_reward = reward_mean;
      summary.first_accuracy = sums[2] / n;
    }
    summary.last_reward = reward_mean;
    summary.last_accuracy = sums[2] / n;
    summary.steps = step;
    if (comm.is_root() && cfg.log_samples_every > 0 && step % cfg.log_samples_every == 0) {
      for (size_t i = 0; i < std::min<size_t>(samples.size(), static_cast<size_t>(G)); ++i)
        logged_samples.push_back(Json{{"step", step}, {"question", q_text[i]}, {"gold", golds[i]}, {"completion", completions[i]},
                                      {"reward", scored[i].total}, {"correct", scored[i].correct},
                                      {"advantage", samples[i].advantages.empty() ? 0.0 : samples[i].advantages[0]},
                                      {"finish_reason", finish_reason_name(gens[i].finish)}}
                                     .dump());
    }
    log::info("step {}/{} | reward {:.3f} | acc {:.3f} | kl {:.4f} | len {:.0f} | gen {:.1f}s score {:.1f}s train {:.1f}s",
              step, cfg.train.max_steps, reward_mean, sums[2] / n, line["kl"].get<double>(), sums[3] / n, t_gen, t_score, t_train);
    progress.update(static_cast<uint64_t>(step), fmt::format("reward {:.3f}", reward_mean));
    maybe_inject_fault("kill_after_step", step, comm.rank());

    double stop = stop_requested() ? 1.0 : 0.0;  // a scheduler's stop signal on any rank
    comm.allreduce_sum(std::span<double>(&stop, 1));
    if ((cfg.checkpoint.every_steps > 0 && step % cfg.checkpoint.every_steps == 0) || step == cfg.train.max_steps || stop > 0) {
      Json state{{"format", "dsmath-trainer-state-1"}, {"stage", "grpo"},     {"step", step},
                 {"world_size", world},                {"config_hash", config_hash}, {"trainer", trainer.state()},
                 {"data", sampler.state()},            {"reference_step", reference_step}, {"time", utc_timestamp()}};
      CheckpointContents contents{policy, trainer.optimizer(), state, config_yaml, tokenizer_path, model_dtype};
      contents.extra_files = [&](const fs::path& dir) {
        if (reference && reference_step > 0) write_flat_weights(dir / "reference.safetensors", reference->get_parameters());
        if (Transformer* rm = rewards.outcome_model(); rm && cfg.iterative.reward_model_steps > 0 && !rm_earlier.empty()) {
          make_directories(dir / "reward_model");
          write_hf_model(dir / "reward_model", rm->config(), rm->get_parameters(), DType::f32);
        }
      };
      summary.checkpoint = save_checkpoint(store, comm, step, contents);
      if (comm.is_root()) {
        std::string text;
        for (const auto& l : logged_samples) text += l + "\n";
        write_file_atomic(run.run_dir / "samples.jsonl", text);
      }
      log::info("checkpoint: {}", summary.checkpoint.string());
    }
    if (stop > 0) {
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
