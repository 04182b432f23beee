#include "rl/iterative.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "data/jsonl.hpp"
#include "io/hf_model.hpp"
#include "train/objectives.hpp"
#include "train/packed_dataset.hpp"
#include "train/reward_data.hpp"
#include "train/trainer.hpp"

namespace dsmath::rl {

namespace {

const char* kind_name(RewardKind k) { return k == RewardKind::outcome ? "outcome" : "process"; }

}  // namespace

RewardModelRefresh::RewardModelRefresh(const Rewards& rewards, const std::vector<RewardSource>& sources,
                                       const IterativeConfig& iterative)
    : it_(iterative) {
  if (it_.every_steps <= 0 || it_.reward_model_steps <= 0) return;
  for (size_t s = 0; s < sources.size(); ++s)
    if (Transformer* m = rewards.model(s)) {
      model_ = m;
      format_ = *rewards.model_format(s);
      // the reward model's own training data is part of the history its retraining replays
      original_ = original_reward_model_data(resolve_model_dir(sources[s].model));
      break;
    }
}

void RewardModelRefresh::add(const PromptedQuestions& pq, const Rollout& rollout, const std::vector<SampleRewards>& scored) {
  if (!active()) return;
  for (size_t i = 0; i < rollout.outputs.size(); ++i) {
    const RlQuestion& q = pq.questions[rollout.question[i]];
    if (format_.kind == RewardKind::outcome)
      fresh_.push_back({q.question, {rollout.completions[i]}, {scored[i].correct ? 1 : 0}, "rollout"});
    else
      to_label_.push_back({q.question, q.gold, pq.prompts[rollout.question[i]], rollout.completions[i], rollout.outputs[i].tokens});
  }
}

void RewardModelRefresh::retrain(Communicator& comm, const Tokenizer& tokenizer, GenerationEngine& engine,
                                 const SamplingConfig& sampling, const std::vector<int32_t>& eos, eval::AnswerStyle style,
                                 const TrainConfig& train, const DistConfig& dist, uint64_t seed) {
  if (!active()) return;
  Rng rng(seed);
  if (format_.kind == RewardKind::process && !to_label_.empty()) {
    // a uniform draw of this rank's share of the outputs to label (labelling is the expensive
    // part: every step of each is completed N times)
    const auto world = static_cast<size_t>(comm.world_size());
    const size_t want = std::min(to_label_.size(), (static_cast<size_t>(it_.process_label_solutions) + world - 1) / world);
    std::vector<size_t> order(to_label_.size());
    std::iota(order.begin(), order.end(), size_t{0});
    for (size_t k = 0; k < want; ++k) std::swap(order[k], order[k + rng.below(order.size() - k)]);
    std::vector<SolutionToLabel> chosen;
    for (size_t k = 0; k < want; ++k) chosen.push_back(std::move(to_label_[order[k]]));
    const auto labelled = label_steps(chosen, tokenizer, format_.step_separator, it_.process_label_completions, style,
                                      engine_completer(engine, tokenizer, chosen, sampling, eos));
    size_t steps = 0, good = 0;
    for (size_t k = 0; k < chosen.size(); ++k) {
      if (labelled[k].steps.empty()) continue;
      fresh_.push_back({chosen[k].question, labelled[k].steps, labelled[k].labels, "rollout"});
      steps += labelled[k].labels.size();
      good += static_cast<size_t>(std::count(labelled[k].labels.begin(), labelled[k].labels.end(), 1));
    }
    log::info("iterative RL: Math-Shepherd labels for {} of the iteration's {} outputs: {} steps, {} good", chosen.size(),
              to_label_.size(), steps, good);
    to_label_.clear();
  }
  std::vector<RewardRecord> records = fresh_;
  // replay: historical data making up replay_fraction of the mix (DeepSeekMath section 4.2:
  // "a replay mechanism that incorporates 10% of historical data"), the history being the
  // model's original training data followed by every earlier iteration's samples
  const size_t history = original_.size() + earlier_.size();
  const size_t replay = history == 0 ? 0
                                     : static_cast<size_t>(std::llround(it_.replay_fraction / (1.0 - it_.replay_fraction) *
                                                                        static_cast<double>(fresh_.size())));
  size_t from_original = 0;
  for (size_t k = 0; k < replay; ++k) {
    const size_t i = rng.below(history);
    const auto& s = i < original_.size() ? original_[i] : earlier_[i - original_.size()];
    from_original += i < original_.size();
    records.push_back({s.question, s.steps, s.labels, "replay: " + s.where});
  }
  RmDataConfig data;
  data.kind = format_.kind;
  data.step_separator = format_.step_separator;
  data.seq_len = model_->config().max_seq_len;
  size_t truncated = 0, dropped = 0;
  auto examples = reward_examples(records, data, tokenizer, truncated, dropped);
  const size_t new_samples = fresh_.size();
  earlier_.insert(earlier_.end(), fresh_.begin(), fresh_.end());
  fresh_.clear();
  if (examples.empty()) return;
  PackedDataset dataset(std::move(examples), data.seq_len, true, static_cast<int32_t>(tokenizer.eos_id().value_or(0)), seed);
  Trainer trainer(*model_, comm, it_.reward_model_optim, train, dist, it_.reward_model_steps);
  if (trainer.optimizer().has_master()) trainer.optimizer().set_master(model_->get_parameters());
  TokenBatch batch;
  double last = 0, first_lr = 0, last_lr = 0;
  for (int step = 0; step < it_.reward_model_steps; ++step) {
    dataset.fill(batch, static_cast<int64_t>(step) * train.micro_batch_size, train.micro_batch_size);
    double labels = static_cast<double>(batch.count_targets());
    comm.allreduce_sum(std::span<double>(&labels, 1));
    trainer.begin_step();
    trainer.accumulate(batch, binary_cross_entropy_objective(std::max(1.0, labels)));
    const StepStats stats = trainer.finish_step();
    last = stats.loss;
    if (step == 0) first_lr = stats.lr;
    last_lr = stats.lr;
  }
  log::info("iterative RL: {} reward model trained {} steps on {} new + {} replayed samples ({} of its original training data; "
            "loss {:.4f}, LR {:.3g} -> {:.3g})",
            kind_name(format_.kind), it_.reward_model_steps, new_samples, replay, from_original, last, first_lr, last_lr);
}

std::vector<RewardRecord> original_reward_model_data(const std::filesystem::path& dir) {
  std::vector<RewardRecord> out;
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
  out = load_reward_records(stored->data.train, stored->data, invalid);
  log::info("iterative RL: the reward model's replay includes its {} original training solutions", out.size());
  return out;
}

// One JSONL file: {"buffer": "fresh"|"earlier", "question", "steps", "labels"} per labelled
// solution, {"buffer": "to_label", "question", "gold", "prompt", "solution", "tokens"} per output
// a process model has yet to label. (Checkpoints before process retraining wrote outcome
// records as "solution"/"label"; they are read too.)
void RewardModelRefresh::save(const std::filesystem::path& file) const {
  if (!active()) return;
  std::string text;
  for (const auto* buffer : {&fresh_, &earlier_})
    for (const auto& s : *buffer)
      text += Json{{"buffer", buffer == &fresh_ ? "fresh" : "earlier"}, {"question", s.question}, {"steps", s.steps},
                   {"labels", s.labels}}
                  .dump() +
              "\n";
  for (const auto& s : to_label_)
    text += Json{{"buffer", "to_label"}, {"question", s.question}, {"gold", s.gold},     {"prompt", s.prompt},
                 {"solution", s.solution}, {"tokens", s.tokens}}
                .dump() +
            "\n";
  write_file_atomic(file, text);
}

void RewardModelRefresh::restore(const std::filesystem::path& file) {
  if (!active() || !std::filesystem::exists(file)) return;
  fresh_.clear();
  earlier_.clear();
  to_label_.clear();
  for_each_json_line(file, "the checkpoint is damaged: resume from an earlier one", [&](const Json& j) {
    const std::string buffer = j.at("buffer").get<std::string>();
    if (buffer == "to_label") {
      to_label_.push_back({j.at("question").get<std::string>(), j.at("gold").get<std::string>(),
                           j.at("prompt").get<std::vector<int32_t>>(), j.at("solution").get<std::string>(),
                           j.at("tokens").get<std::vector<int32_t>>()});
      return;
    }
    RewardRecord s{j.at("question").get<std::string>(), {}, {}, file.string()};
    if (j.contains("steps")) {
      s.steps = j.at("steps").get<std::vector<std::string>>();
      s.labels = j.at("labels").get<std::vector<int>>();
    } else {
      s.steps = {j.at("solution").get<std::string>()};
      s.labels = {j.at("label").get<int>()};
    }
    (buffer == "fresh" ? fresh_ : earlier_).push_back(std::move(s));
  });
}

}  // namespace dsmath::rl
