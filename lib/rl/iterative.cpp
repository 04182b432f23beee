#include "rl/iterative.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "data/jsonl.hpp"
#include "core/rng.hpp"
#include "train/objectives.hpp"
#include "train/packed_dataset.hpp"
#include "train/reward_data.hpp"
#include "train/reward_model.hpp"
#include "train/trainer.hpp"

namespace dsmath::rl {

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
