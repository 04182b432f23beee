#include "train/reward_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <yaml-cpp/yaml.h>

#include "config/load.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "train/model_setup.hpp"
#include "train/packed_dataset.hpp"
#include "train/reward_data.hpp"

namespace dsmath {

Objective binary_cross_entropy_objective(double global_labels) {
  return [global_labels](const TokenBatch& b, std::span<const float> values, std::span<float> dvalues) {
    double loss = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      const int32_t y = b.targets[i];
      if (y < 0) continue;
      const double v = values[i];
      // softplus(v) - y v, computed without overflow
      loss += std::max(v, 0.0) + std::log1p(std::exp(-std::fabs(v))) - y * v;
      dvalues[i] = static_cast<float>((1.0 / (1.0 + std::exp(-v)) - y) / global_labels);
    }
    return loss / global_labels;
  };
}

double roc_auc(std::span<const float> scores, std::span<const int> labels) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Mann-Whitney U with mid-ranks for ties
  double rank_sum_pos = 0;
  size_t pos = 0, neg = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i) + static_cast<double>(j - 1)) / 2.0 + 1.0;
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]]) {
        rank_sum_pos += mid_rank;
        ++pos;
      } else {
        ++neg;
      }
    }
    i = j;
  }
  if (pos == 0 || neg == 0) return std::nan("");
  return (rank_sum_pos - static_cast<double>(pos) * (static_cast<double>(pos) + 1) / 2.0) /
         (static_cast<double>(pos) * static_cast<double>(neg));
}

RewardScorer::RewardScorer(Transformer& model, const Tokenizer& tokenizer, RewardKind kind, std::string step_separator,
                           int batch_rows)
    : model_(model),
      tokenizer_(tokenizer),
      chat_(ChatFormat::for_tokenizer(tokenizer)),
      kind_(kind),
      separator_(std::move(step_separator)),
      batch_rows_(batch_rows) {
  if (model.config().head != ModelHead::scalar)
    fail_hint("score with a model trained by `dsmath rm train`", "the model is a language model, not a reward model (scalar head)");
}

std::vector<std::vector<float>> RewardScorer::score(std::span<const std::string> questions,
                                                    std::span<const std::vector<std::string>> steps) {
  DSMATH_CHECK(questions.size() == steps.size(), "{} questions, {} solutions", questions.size(), steps.size());
  std::vector<std::vector<float>> out(questions.size());
  for (size_t start = 0; start < questions.size(); start += static_cast<size_t>(batch_rows_)) {
    const size_t end = std::min(questions.size(), start + static_cast<size_t>(batch_rows_));
    std::vector<RewardInput> inputs;
    int width = 1;
    for (size_t i = start; i < end; ++i) {
      inputs.push_back(encode_reward_input(chat_, tokenizer_, questions[i], steps[i], kind_, separator_));
      width = std::max(width, static_cast<int>(inputs.back().ids.size()));
    }
    if (width > model_.config().max_seq_len)
      fail_hint("shorten the solution or use a model with a longer context", "solution {} has {} tokens, more than the reward model's context of {}",
                start, width, model_.config().max_seq_len);
    // one solution per row, right-padded: causal attention keeps padding out of the scores
    TokenBatch b;
    b.resize(static_cast<int>(inputs.size()), width);
    const int32_t pad = static_cast<int32_t>(tokenizer_.eos_id().value_or(0));
    std::fill(b.tokens.begin(), b.tokens.end(), pad);
    for (size_t r = 0; r < inputs.size(); ++r)
      std::copy(inputs[r].ids.begin(), inputs[r].ids.end(), b.tokens.begin() + static_cast<ptrdiff_t>(r) * width);
    model_.forward(b, false);
    const auto values = model_.logprobs();
    for (size_t r = 0; r < inputs.size(); ++r)
      for (int32_t p : inputs[r].scored)
        out[start + r].push_back(p < 0 ? std::nanf("") : 1.0f / (1.0f + std::exp(-values[r * static_cast<size_t>(width) + static_cast<size_t>(p)])));
  }
  return out;
}

std::optional<RmConfig> stored_reward_model_config(const std::filesystem::path& model_dir) {
  const auto file = model_dir / "config.yaml";
  if (!std::filesystem::exists(file)) return std::nullopt;
  // a policy's checkpoint holds its own stage's config: only an rm config describes scoring
  const YAML::Node root = config::load_yaml_file(file);
  if (!root.IsMap() || !root["stage"] || !root["stage"].IsScalar() || root["stage"].as<std::string>() != "rm") return std::nullopt;
  return config::load_config<RmConfig>({.file = file, .overrides = {}});
}

RewardModelFormat reward_model_format(const std::filesystem::path& model_dir, std::optional<RewardKind> configured_kind,
                                      const std::string& separator, const std::string& what) {
  const auto stored = stored_reward_model_config(model_dir);
  if (!stored)
    return RewardModelFormat{configured_kind.value_or(RewardKind::outcome), separator.empty() ? std::string("\n") : separator};
  const RewardModelFormat trained{stored->data.kind, stored->data.step_separator};
  const RewardKind kind = configured_kind.value_or(trained.kind);
  if (trained.kind != kind)
    fail_hint(fmt::format("set {} to {}, or train a {} reward model", what, config::enum_name(trained.kind), config::enum_name(kind)),
              "reward model '{}' was trained as a {} reward model (its config.yaml), not {}", model_dir.string(),
              config::enum_name(trained.kind), config::enum_name(kind));
  if (kind == RewardKind::process && !separator.empty() && separator != trained.step_separator)
    fail_hint(fmt::format("drop the step separator from {} (the model's own is used) or set it to {}", what,
                          Json(trained.step_separator).dump()),
              "reward model '{}' was trained with step separator {}, not {}", model_dir.string(),
              Json(trained.step_separator).dump(), Json(separator).dump());
  return trained;
}

TrainingSummary run_rm_training(const RmConfig& cfg, const RunOptions& run) {
  const std::string tokenizer_path =
      resolve_tokenizer_path(cfg.tokenizer, cfg.init, "a reward model renders solutions with the chat format");
  const Tokenizer tokenizer = Tokenizer::load(tokenizer_path);
  size_t skipped = 0;
  const auto eval_records = load_reward_records(cfg.data.eval, cfg.data, skipped);

  LmTrainingSpec spec = lm_training_spec("rm", cfg, tokenizer_path, ModelHead::scalar);
  spec.objective = binary_cross_entropy_objective;
  if (!eval_records.empty()) {
    spec.after_training = [&](Transformer& model) -> Json {
      RewardScorer scorer(model, tokenizer, cfg.data.kind, cfg.data.step_separator);
      std::vector<std::string> questions;
      std::vector<std::vector<std::string>> steps;
      for (const auto& r : eval_records) {
        questions.push_back(r.question);
        steps.push_back(r.steps);
      }
      const auto scores = scorer.score(questions, steps);
      std::vector<float> flat;
      std::vector<int> labels;
      size_t correct = 0;
      for (size_t i = 0; i < eval_records.size(); ++i)
        for (size_t k = 0; k < scores[i].size(); ++k) {
          if (std::isnan(scores[i][k])) continue;
          flat.push_back(scores[i][k]);
          labels.push_back(eval_records[i].labels[k]);
          correct += (scores[i][k] >= 0.5f) == (eval_records[i].labels[k] == 1);
        }
      const double auc = roc_auc(flat, labels);
      const double accuracy = flat.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(flat.size());
      log::info("reward model on {} held-out labels: AUC {:.4f}, accuracy {:.4f}", flat.size(), auc, accuracy);
      return Json{{"eval_labels", flat.size()}, {"auc", auc}, {"accuracy", accuracy}};
    };
  }
  return run_lm_training(spec, run, [&](const ModelConfig& model) -> std::unique_ptr<BatchSource> {
    check_tokenizer_fits(tokenizer, model.vocab_size, cfg.init.from);
    size_t invalid = 0, truncated = 0, dropped = 0;
    const auto records = load_reward_records(cfg.data.train, cfg.data, invalid);
    auto examples = reward_examples(records, cfg.data, tokenizer, truncated, dropped);
    size_t labels = 0, positive = 0;
    for (const auto& e : examples)
      for (int32_t t : e.targets) {
        labels += t >= 0;
        positive += t == 1;
      }
    log::info("reward data: {} solutions, {} labels ({:.1f}% positive); {} truncated, {} dropped, {} invalid skipped",
              examples.size(), labels, 100.0 * static_cast<double>(positive) / static_cast<double>(std::max<size_t>(1, labels)),
              truncated, dropped, invalid);
    if (examples.empty()) fail_hint("check data.train", "reward model: no usable labelled solutions");
    const int32_t pad = static_cast<int32_t>(tokenizer.eos_id().value_or(0));
    return std::make_unique<PackedDataset>(std::move(examples), cfg.data.seq_len, /*document_masked=*/true, pad, cfg.train.seed);
  });
}

}  // namespace dsmath
