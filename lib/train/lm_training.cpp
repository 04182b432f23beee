#include "train/lm_training.hpp"

#include "backend/create.hpp"
#include "config/yaml_writer.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/stop_signal.hpp"
#include "core/strings.hpp"
#include "core/timer.hpp"
#include "dist/communicator.hpp"
#include "dist/launch.hpp"
#include "io/checkpoint_store.hpp"
#include "train/checkpointing.hpp"
#include "train/metrics_log.hpp"
#include "train/model_setup.hpp"
#include "train/objectives.hpp"
#include "train/trainer.hpp"

namespace dsmath {

namespace fs = std::filesystem;

TrainingSummary run_lm_training(const LmTrainingSpec& cfg, const RunOptions& run, const BatchSourceFactory& make_source) {
  install_stop_handlers();
  // the backend first: its kind picks the communicator (NCCL for GPUs), its GPU the local rank
  auto backend = create_backend({cfg.runtime.device, cfg.runtime.threads, -1});
  auto communicator = create_communicator(cfg.dist, run.run_dir / ".heartbeat", backend.get());
  Communicator& comm = *communicator;
  const std::string& config_yaml = cfg.config_yaml;
  const std::string config_hash = hex64(hash64(config_yaml));

  log::info("backend: {}; {}", backend->description(), comm.name());

  const ModelConfig model_config = resolve_model_config(cfg.model, cfg.init, cfg.head);
  std::unique_ptr<BatchSource> source = make_source(model_config);
  BatchSource& loader = *source;
  const int seq = loader.seq_len();
  if (seq > model_config.max_seq_len)
    fail_hint("lower data.seq_len or raise model.max_seq_len", "data.seq_len ({}) exceeds model.max_seq_len ({})", seq,
              model_config.max_seq_len);
  const int world = comm.world_size();
  const int per_step_rank = cfg.train.micro_batch_size * world;
  if (cfg.train.global_batch_size % per_step_rank != 0)
    fail_hint("make train.global_batch_size a multiple of micro_batch_size x ranks",
              "train.global_batch_size ({}) is not a multiple of micro_batch_size ({}) x {} ranks",
              cfg.train.global_batch_size, cfg.train.micro_batch_size, world);
  const int accumulation = cfg.train.global_batch_size / per_step_rank;
  if (!cfg.tokenizer.empty() && !fs::exists(cfg.tokenizer))
    fail_hint("set tokenizer to an existing tokenizer.json or to \"\"", "tokenizer '{}' does not exist", cfg.tokenizer);

  Transformer model(model_config, *backend,
                    {true, cfg.train.recompute_activations, static_cast<int64_t>(cfg.train.head_chunk_rows)});
  Trainer trainer(model, comm, cfg.optim, cfg.train, cfg.dist, cfg.train.max_steps);
  if (comm.world_size() > 1) log::info("{}", trainer.reduction_description());
  CheckpointStore store(run.run_dir / "checkpoints", cfg.checkpoint.keep_last);
  const DType model_dtype = parse_weight_dtype(cfg.checkpoint.dtype);

  int64_t tokens_seen = 0;
  int64_t resume_step = -1;
  if (auto latest = store.latest(); latest && run.resume) {
    log::info("resuming from {}", latest->string());
    Json state = load_checkpoint(*latest, model, trainer.optimizer());
    try {
      // Samples are numbered by step x global batch: another batch size would skip or repeat data.
      const int64_t saved_batch = state.value("global_batch_size", int64_t{cfg.train.global_batch_size});
      const int saved_seq = state.value("seq_len", seq);
      if (saved_batch != cfg.train.global_batch_size || saved_seq != seq)
        fail_hint("resume with the original train.global_batch_size and data.seq_len, or start a new run from the "
                  "checkpoint with init.from",
                  "{} was written with global_batch_size {} and seq_len {}; this run has {} and {}", latest->string(),
                  saved_batch, saved_seq, cfg.train.global_batch_size, seq);
      trainer.restore(state.at("trainer"));
      loader.restore(state.at("data"));
      tokens_seen = state.at("tokens_seen").get<int64_t>();
      if (state.value("config_hash", "") != config_hash)
        log::warn("the config differs from the one the checkpoint was written with (see {}/config.yaml)", latest->string());
    } catch (const Json::exception& e) {
      fail("{}/trainer_state.json: {}", latest->string(), e.what());
    }
    resume_step = trainer.step();
  } else if (latest) {
    fail_hint("pass --resume to continue it, or choose another --run-dir",
              "run directory '{}' already holds checkpoints (latest {})", run.run_dir.string(), latest->filename().string());
  } else {
    if (run.resume) log::info("--resume: no checkpoint in {} yet; starting from the beginning", store.root().string());
    const std::vector<float> initial = initialize_weights(model, cfg.init);
    if (trainer.optimizer().has_master()) trainer.optimizer().set_master(initial);
  }
  if (trainer.step() >= cfg.train.max_steps)
    log::info("the checkpoint is already at step {} of {}; nothing to do", trainer.step(), cfg.train.max_steps);

  if (comm.is_root()) {
    make_directories(run.run_dir);
    write_file_atomic(run.run_dir / "config.yaml", config_yaml);
  }
  MetricsLog metrics(run.run_dir / "metrics.jsonl", resume_step);

  const double flops_per_token = model_config.train_flops_per_token(seq);
  const double peak = cfg.train.peak_tflops > 0 ? cfg.train.peak_tflops * 1e12 : backend->peak_flops();
  const int64_t tokens_per_step = static_cast<int64_t>(cfg.train.global_batch_size) * seq;
  log::info("model: {} parameters ({} without embeddings), {} layers, dim {}, seq {}",
            human_count(static_cast<double>(model_config.num_parameters())),
            human_count(static_cast<double>(model_config.num_parameters() - model_config.num_embedding_parameters())),
            model_config.n_layers, model_config.dim, seq);
  log::info("data: {}", loader.describe());
  log::info("batch: {} sequences x {} tokens = {} tokens/step ({} micro-batches of {} per rank, {} ranks); {} steps",
            cfg.train.global_batch_size, seq, human_count(static_cast<double>(tokens_per_step)), accumulation,
            cfg.train.micro_batch_size, world, cfg.train.max_steps);

  TrainingSummary summary;
  summary.start_step = trainer.step();
  const auto objective = cfg.objective ? cfg.objective : cross_entropy_objective;
  summary.steps = trainer.step();
  Progress progress(cfg.stage, static_cast<uint64_t>(cfg.train.max_steps), "steps");
  Stopwatch run_clock;
  int64_t run_tokens = 0;
  std::vector<TokenBatch> micro(static_cast<size_t>(accumulation));
  while (trainer.step() < cfg.train.max_steps) {
    Stopwatch step_clock;
    const int64_t step = trainer.step() + 1;
    comm.note_step(step);
    // This rank's share of the global batch: samples [base, base + accumulation * micro).
    const int64_t base = (step - 1) * cfg.train.global_batch_size +
                         static_cast<int64_t>(comm.rank()) * accumulation * cfg.train.micro_batch_size;
    double targets = 0;
    for (int m = 0; m < accumulation; ++m) {
      loader.fill(micro[static_cast<size_t>(m)], base + static_cast<int64_t>(m) * cfg.train.micro_batch_size,
                  cfg.train.micro_batch_size);
      targets += static_cast<double>(micro[static_cast<size_t>(m)].count_targets());
    }
    comm.allreduce_sum(std::span<double>(&targets, 1));
    if (targets == 0) fail("step {}: the batch has no target tokens (all masked)", step);
    trainer.begin_step();
    const Objective step_objective = objective(targets);
    for (size_t m = 0; m < micro.size(); ++m) trainer.accumulate(micro[m], step_objective, false, m + 1 == micro.size());
    const StepStats stats = trainer.finish_step();
    // every rank advances the loader past the other ranks' samples of this step
    loader.advance_to(step * cfg.train.global_batch_size);
    tokens_seen += tokens_per_step;
    run_tokens += tokens_per_step;
    backend->synchronize();
    const double dt = step_clock.seconds();
    const double tokens_per_s = static_cast<double>(tokens_per_step) / dt;
    const double mfu = flops_per_token * tokens_per_s / peak;
    if (step == summary.start_step + 1) summary.first_loss = stats.loss;
    summary.last_loss = stats.loss;
    summary.steps = step;
    Json line{{"step", step},
              {"loss", stats.loss},
              {"lr", stats.lr},
              {"grad_norm", stats.grad_norm},
              {"tokens", tokens_seen},
              {"tokens_per_s", tokens_per_s},
              {"step_time_s", dt},
              {"mfu", mfu},
              {"memory_bytes", backend->memory_in_use()},
              {"skipped", stats.skipped},
              {"time", utc_timestamp()}};
    if (comm.is_root()) metrics.write(line);
    if (step % cfg.train.log_every == 0 || step == cfg.train.max_steps)
      log::info("step {}/{} | loss {:.4f} | lr {:.3e} | grad norm {:.3f} | {} tok/s | MFU {:.1f}%{}", step,
                cfg.train.max_steps, stats.loss, stats.lr, stats.grad_norm, human_count(tokens_per_s), 100 * mfu,
                stats.skipped ? " | SKIPPED" : "");
    progress.update(static_cast<uint64_t>(step), fmt::format("loss {:.4f}", stats.loss));
    maybe_inject_fault("kill_after_step", step, comm.rank());
    // a scheduler's stop signal on any rank: every rank checkpoints this step and returns
    double stop = stop_requested() ? 1.0 : 0.0;
    comm.allreduce_sum(std::span<double>(&stop, 1));
    if ((cfg.checkpoint.every_steps > 0 && step % cfg.checkpoint.every_steps == 0) || step == cfg.train.max_steps ||
        stop > 0) {
      Json state{{"format", "dsmath-trainer-state-1"},
                 {"stage", cfg.stage},
                 {"step", step},
                 {"tokens_seen", tokens_seen},
                 {"world_size", world},
                 {"global_batch_size", cfg.train.global_batch_size},
                 {"seq_len", seq},
                 {"config_hash", config_hash},
                 {"trainer", trainer.state()},
                 {"data", loader.state()},
                 {"time", utc_timestamp()}};
      summary.checkpoint = save_checkpoint(store, comm, step,
                                           {model, trainer.optimizer(), state, config_yaml, cfg.tokenizer, model_dtype});
      log::info("checkpoint: {}", summary.checkpoint.string());
    }
    if (stop > 0) {
      log::warn("stopping after step {} on a stop signal ({}); the checkpoint is written: rerun with --resume", step,
                stop_signal_number() ? stop_signal_number() : -1);
      summary.stopped_early = true;
      break;
    }
  }
  progress.finish();
  // no checkpoint written by this run (nothing to do, or no step reached one): the latest
  if (summary.checkpoint.empty())
    if (auto latest = store.latest()) summary.checkpoint = *latest;
  summary.tokens_per_s = run_tokens > 0 ? static_cast<double>(run_tokens) / run_clock.seconds() : 0;
  if (cfg.after_training) summary.after_training = cfg.after_training(model);
  return summary;
}

}  // namespace dsmath
