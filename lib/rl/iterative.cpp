#include "rl/iterative.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "data/jsonl.hpp"
#include "io/hf_model.hpp"
#include "core/rng.hpp"
#include "train/objectives.hpp"
#include "train/packed_dataset.hpp"
#include "train/reward_data.hpp"
#include "train/reward_model.hpp"
#include "train/trainer.hpp"

namespace dsmath::rl {

void retrain_reward_model(Transformer& rm, Communicator& comm, const Tokenizer& tok, const std::vector<LabelledSolution>& fresh,
                          const std::vector<LabelledSolution>& earlier, const std::vector<LabelledSolution>& original,
                          const IterativeConfig& it, const OptimConfig& optim, const TrainConfig& train, const DistConfig& dist,
                          uint64_t seed) {
  std::vector<RewardRecord> records;
  for (const auto& s : fresh) records.push_back({s.question, {s.solution}, {s.label}, "rollout"});
  // replay: historical data making up replay_fraction of the mix (DeepSeekMath section 4.2:
  // "a replay mechanism that incorporates 10% of historical data"), the history being the
  // model's original training data followed by every earlier iteration's samples
  const size_t history = original.size() + earlier.size();
  const size_t replay = history == 0 ? 0
                                     : static_cast<size_t>(std::llround(it.replay_fraction / (1.0 - it.replay_fraction) *
                                                                        static_cast<double>(fresh.size())));
  Rng rng(seed);
  size_t from_original = 0;
  for (size_t k = 0; k < replay; ++k) {
    const size_t i = rng.below(history);
    const auto& s = i < original.size() ? original[i] : earlier[i - original.size()];
    from_original += i < original.size();
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
  log::info("iterative RL: reward model trained {} steps on {} new + {} replayed samples ({} of its original training data; "
            "loss {:.4f})",
            it.reward_model_steps, fresh.size(), replay, from_original, last);
}

std::vector<LabelledSolution> original_reward_model_data(const std::vector<RewardSource>& rewards) {
  std::vector<LabelledSolution> out;
  for (const auto& s : rewards) {
    if (s.kind != "model" || s.model_kind != RewardKind::outcome) continue;
    const auto dir = resolve_model_dir(s.model);
    const auto stored = stored_reward_model_config(dir);
    if (!stored) {
      log::warn("iterative RL: reward model '{}' has no `dsmath rm train` config.yaml: its replay holds the RL samples only",
                dir.string());
      return out;
    }
    for (const auto& f : stored->data.train)
      if (!std::filesystem::exists(f)) {
        log::warn("iterative RL: reward model '{}' was trained on '{}', which is gone: its replay holds the RL samples only",
                  dir.string(), f);
        return out;
      }
    size_t invalid = 0;
    for (const auto& r : load_reward_records(stored->data.train, stored->data, invalid))
      out.push_back({r.question, r.steps.empty() ? std::string() : r.steps.front(), r.labels.empty() ? 0 : r.labels.front()});
    log::info("iterative RL: the reward model's replay includes its {} original training solutions", out.size());
    return out;
  }
  return out;
}

void write_replay_buffers(const std::filesystem::path& file, const std::vector<LabelledSolution>& fresh,
                          const std::vector<LabelledSolution>& earlier) {
  std::string text;
  for (const auto* buffer : {&fresh, &earlier})
    for (const auto& s : *buffer)
      text += Json{{"buffer", buffer == &fresh ? "fresh" : "earlier"}, {"question", s.question}, {"solution", s.solution},
                   {"label", s.label}}
                  .dump() +
              "\n";
  write_file_atomic(file, text);
}

void read_replay_buffers(const std::filesystem::path& file, std::vector<LabelledSolution>& fresh,
                         std::vector<LabelledSolution>& earlier) {
  fresh.clear();
  earlier.clear();
  for_each_json_line(file, "the checkpoint is damaged: resume from an earlier one", [&](const Json& j) {
    (j.at("buffer").get<std::string>() == "fresh" ? fresh : earlier)
        .push_back({j.at("question").get<std::string>(), j.at("solution").get<std::string>(), j.at("label").get<int>()});
  });
}

}  // namespace dsmath::rl
