#include "rl/dpo.hpp"

#include <algorithm>
#include <fstream>

#include "backend/create.hpp"
#include "config/yaml_writer.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/stop_signal.hpp"
#include "core/strings.hpp"
#include "data/jsonl.hpp"
#include "dist/launch.hpp"
#include "io/checkpoint_store.hpp"
#include "rl/dpo_loss.hpp"
#include "rl/offline_samples.hpp"
#include "rl/policy_update.hpp"
#include "tokenizer/chat_template.hpp"
#include "train/checkpointing.hpp"
#include "train/metrics_log.hpp"
#include "train/model_setup.hpp"
#include "train/trainer.hpp"

namespace dsmath::rl {

namespace fs = std::filesystem;

namespace {

struct Pair {
  size_t question;
  std::vector<int32_t> chosen, rejected;
};

// Up to pairs_per_question (right, wrong) pairs per question: the i-th distinct right output
// with the i-th distinct wrong one. Questions the model always or never solves give none.
std::vector<Pair> make_pairs(const GradedOutputs& g, int per_question) {
  std::vector<Pair> pairs;
  for (size_t q = 0; q < g.right.size(); ++q) {
    const size_t n = std::min({g.right[q].size(), g.wrong[q].size(), static_cast<size_t>(per_question)});
    for (size_t i = 0; i < n; ++i) pairs.push_back({q, g.right[q][i], g.wrong[q][i]});
  }
  return pairs;
}

void write_pairs(const fs::path& file, const std::vector<Pair>& pairs) {
  std::string text;
  for (const auto& p : pairs) text += Json{{"question", p.question}, {"chosen", p.chosen}, {"rejected", p.rejected}}.dump() + "\n";
  write_file_atomic(file, text);
}

std::vector<Pair> read_pairs(const fs::path& file) {
  std::vector<Pair> pairs;
  for_each_json_line(file, "remove the run directory to sample the pairs again", [&](const Json& j) {
    pairs.push_back({j.at("question").get<size_t>(), j.at("chosen").get<std::vector<int32_t>>(),
                     j.at("rejected").get<std::vector<int32_t>>()});
  });
  return pairs;
}

}  // namespace

DpoSummary run_dpo(const DpoConfig& cfg, const RunOptions& run) {
  install_stop_handlers();
  auto backend = create_backend({cfg.runtime.device, cfg.runtime.threads, -1});
  auto communicator = create_communicator(cfg.dist, run.run_dir / ".heartbeat", backend.get());
  Communicator& comm = *communicator;
  const std::string config_yaml = config::to_yaml_text(cfg);
  const int world = comm.world_size();
  const int micro = cfg.train.micro_batch_size;
  if (cfg.train.global_batch_size % (micro * world) != 0)
    fail_hint("make train.global_batch_size a multiple of micro_batch_size x ranks",
              "train.global_batch_size ({} pairs) does not split into micro-batches of {} pairs on {} ranks",
              cfg.train.global_batch_size, micro, world);
  const int accumulation = cfg.train.global_batch_size / (micro * world);

  const std::string tokenizer_path = resolve_tokenizer_path(cfg.tokenizer, cfg.init, "DPO renders its prompts with it");
  const Tokenizer tokenizer = Tokenizer::load(tokenizer_path);
  const ChatFormat chat = ChatFormat::for_tokenizer(tokenizer);
  const ModelConfig model_config = resolve_model_config(cfg.model, cfg.init);
  check_tokenizer_fits(tokenizer, model_config.vocab_size, cfg.init.from);
  Transformer policy(model_config, *backend, {true, cfg.train.recompute_activations, cfg.train.head_chunk_rows});
  Transformer reference(model_config, *backend, TransformerOptions{false});
  initialize_weights(reference, cfg.init);
  const PromptedQuestions pq =
      prompt_questions(load_rl_questions(cfg.data), tokenizer, chat, cfg.data.prompt_suffix, model_config.max_seq_len);

  // 1. the data source: pairs from the reference (= initial) model's samples, sampled once
  const fs::path pairs_file = run.run_dir / fmt::format("pairs-rank{}.jsonl", comm.rank());
  std::vector<Pair> pairs;
  if (run.resume && fs::exists(pairs_file)) {
    pairs = read_pairs(pairs_file);
  } else {
    pairs = make_pairs(sample_and_grade(reference, *backend, comm, tokenizer, pq, cfg.samples, cfg.data.answer_style),
                       cfg.pairs_per_question);
    make_directories(run.run_dir);
    write_pairs(pairs_file, pairs);
  }
  // a pair must fit the context whole
  std::erase_if(pairs, [&](const Pair& p) {
    const size_t P = pq.prompts[p.question].size();
    return P + std::max(p.chosen.size(), p.rejected.size()) > static_cast<size_t>(model_config.max_seq_len);
  });
  double counts[2] = {static_cast<double>(pairs.size()), pairs.empty() ? 1.0 : 0.0};
  comm.allreduce_sum(std::span<double>(counts, 2));
  if (counts[1] > 0)
    fail_hint("sample more outputs per question (samples.samples_per_question) or at a higher temperature",
              "no (right, wrong) pair among the initial model's samples on {} rank(s): every question was always or never solved",
              static_cast<int>(counts[1]));
  log::info("DPO: {} pairs over all ranks, {} per step, beta {}", static_cast<int64_t>(counts[0]), cfg.train.global_batch_size,
            cfg.beta);

  QuestionSampler order(pairs.size(), cfg.train.seed + static_cast<uint64_t>(comm.rank()));
  Trainer trainer(policy, comm, cfg.optim, cfg.train, cfg.dist, cfg.train.max_steps);
  CheckpointStore store(run.run_dir / "checkpoints", cfg.checkpoint.keep_last);
  int64_t step = 0;
  if (auto latest = store.latest(); latest && run.resume) {
    const Json state = load_checkpoint(*latest, policy, trainer.optimizer());
    try {
      trainer.restore(state.at("trainer"));
      order.restore(state.at("data"));
      step = state.at("step").get<int64_t>();
    } catch (const Json::exception& e) {
      fail("{}/trainer_state.json: {}", latest->string(), e.what());
    }
  } else if (latest) {
    fail_hint("pass --resume to continue it, or choose another --run-dir", "run directory '{}' already holds checkpoints",
              run.run_dir.string());
  } else {
    const auto initial = initialize_weights(policy, cfg.init);
    if (trainer.optimizer().has_master()) trainer.optimizer().set_master(initial);
  }
  if (comm.is_root()) write_file_atomic(run.run_dir / "config.yaml", config_yaml);
  MetricsLog metrics(run.run_dir / "metrics.jsonl", step > 0 ? step : -1);
  const int32_t pad = static_cast<int32_t>(tokenizer.eos_id().value_or(0));
  const double global_pairs = cfg.train.global_batch_size;
  DpoSummary summary;
  summary.start_step = summary.steps = step;
  summary.pairs = static_cast<size_t>(counts[0]);
  Progress progress("dpo", static_cast<uint64_t>(cfg.train.max_steps), "steps");
  while (step < cfg.train.max_steps) {
    ++step;
    comm.note_step(step);
    DpoStats stats;
    trainer.begin_step();
    for (int k = 0; k < accumulation; ++k) {
      // rows 2i (chosen) and 2i + 1 (rejected) of pair i
      std::vector<RolloutSample> rows;
      for (size_t idx : order.next(static_cast<size_t>(micro))) {
        const Pair& p = pairs[idx];
        for (const auto* completion : {&p.chosen, &p.rejected}) {
          RolloutSample& row = rows.emplace_back();
          row.prompt = pq.prompts[p.question];
          row.completion = *completion;
        }
      }
      std::vector<const RolloutSample*> ptrs;
      for (const auto& r : rows) ptrs.push_back(&r);
      const TokenBatch b = rollout_batch(ptrs, pad);
      reference.forward(b, false);
      trainer.accumulate(b, dpo_objective(row_logprobs(b, reference.logprobs()), cfg.beta, global_pairs, stats), false,
                         k + 1 == accumulation);
    }
    const StepStats last = trainer.finish_step();
    double sums[3] = {stats.margin_sum, stats.accuracy_sum, stats.pairs};
    comm.allreduce_sum(std::span<double>(sums, 3));
    // TRL's names: rewards/margins is beta times the log-ratio margin
    const Json line{{"step", step},
                    {"loss", last.loss},
                    {"rewards_margins", cfg.beta * sums[0] / sums[2]},
                    {"rewards_accuracies", sums[1] / sums[2]},
                    {"grad_norm", last.grad_norm},
                    {"lr", last.lr},
                    {"time", utc_timestamp()}};
    if (comm.is_root()) metrics.write(line);
    if (step == summary.start_step + 1) summary.first_loss = last.loss;
    summary.last_loss = last.loss;
    summary.steps = step;
    log::info("step {}/{} | loss {:.4f} | margin {:.3f} | accuracy {:.3f}", step, cfg.train.max_steps, last.loss,
              line["rewards_margins"].get<double>(), line["rewards_accuracies"].get<double>());
    progress.update(static_cast<uint64_t>(step), fmt::format("loss {:.4f}", last.loss));
    maybe_inject_fault("kill_after_step", step, comm.rank());
    double stop = stop_requested() ? 1.0 : 0.0;
    comm.allreduce_sum(std::span<double>(&stop, 1));
    if ((cfg.checkpoint.every_steps > 0 && step % cfg.checkpoint.every_steps == 0) || step == cfg.train.max_steps || stop > 0) {
      const Json state{{"format", "dsmath-trainer-state-1"}, {"stage", "dpo"}, {"step", step}, {"world_size", world},
                       {"config_hash", hex64(hash64(config_yaml))}, {"trainer", trainer.state()}, {"data", order.state()},
                       {"time", utc_timestamp()}};
      summary.checkpoint = save_checkpoint(
          store, comm, step,
          {policy, trainer.optimizer(), state, config_yaml, tokenizer_path, parse_weight_dtype(cfg.checkpoint.dtype)});
    }
    if (stop > 0) {
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
