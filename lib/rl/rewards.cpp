#include "rl/rewards.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"
#include "eval/grade_sample.hpp"
#include "io/hf_model.hpp"

namespace dsmath::rl {

struct Rewards::ModelScorer {
  std::unique_ptr<Transformer> model;
  std::unique_ptr<RewardScorer> scorer;
  RewardModelFormat format;  // what the model was trained with (train/reward_model.hpp)
};

Rewards::Rewards(const std::vector<RewardSource>& sources, eval::AnswerStyle style, Backend& backend, const Tokenizer& tokenizer,
                 bool trainable)
    : sources_(sources), style_(style), tokenizer_(tokenizer) {
  if (sources_.empty()) fail_hint("list at least one reward, e.g. rewards: [{kind: rule}]", "GRPO: no reward functions");
  for (const auto& s : sources_) {
    if (s.kind != "model") {
      models_.push_back(nullptr);
      continue;
    }
    if (s.model.empty()) fail_hint("set the reward model directory", "rewards: a 'model' reward needs `model: path`");
    auto m = std::make_unique<ModelScorer>();
    const auto dir = resolve_model_dir(s.model);
    const ModelConfig c = read_hf_config(dir);
    m->model = std::make_unique<Transformer>(c, backend, TransformerOptions{trainable});
    m->model->set_parameters(read_hf_weights(dir, c));
    m->format = reward_model_format(dir, s.model_kind, s.step_separator, "rewards[].model_kind / rewards[].step_separator");
    m->scorer = std::make_unique<RewardScorer>(*m->model, tokenizer, m->format.kind, m->format.step_separator);
    log::info("reward model ({}): {}", s.model_kind == RewardKind::outcome ? "outcome" : "process", dir.string());
    models_.push_back(std::move(m));
  }
}

Rewards::~Rewards() = default;

Transformer* Rewards::model(size_t source) const { return models_.at(source) ? models_[source]->model.get() : nullptr; }

const RewardModelFormat* Rewards::model_format(size_t source) const {
  return models_.at(source) ? &models_[source]->format : nullptr;
}

std::vector<StepSpan> step_spans(const std::string& completion, const std::string& separator) {
  std::vector<StepSpan> spans;
  size_t start = 0;
  while (start <= completion.size()) {
    size_t end = separator.empty() ? std::string::npos : completion.find(separator, start);
    if (end == std::string::npos) end = completion.size();
    if (!trim(std::string_view(completion).substr(start, end - start)).empty()) spans.push_back({start, end});
    if (end >= completion.size()) break;
    start = end + separator.size();
  }
  return spans;
}

void split_steps(const Tokenizer& tokenizer, const std::string& completion, const std::vector<int32_t>& tokens,
                 const std::string& separator, std::vector<std::string>& steps, std::vector<int>& step_ends) {
  steps.clear();
  step_ends.clear();
  // byte offset where each token ends, in the completion's raw bytes
  std::vector<size_t> token_end;
  size_t bytes = 0;
  for (int32_t t : tokens) {
    bytes += tokenizer.token_bytes(static_cast<uint32_t>(t)).size();
    token_end.push_back(bytes);
  }
  for (const StepSpan& span : step_spans(completion, separator)) {
    // the first token that reaches the step's last byte
    int last = static_cast<int>(tokens.size()) - 1;
    for (size_t k = 0; k < token_end.size(); ++k)
      if (token_end[k] >= span.end) {
        last = static_cast<int>(k);
        break;
      }
    steps.push_back(completion.substr(span.begin, span.end - span.begin));
    step_ends.push_back(last);
  }
}

std::vector<SampleRewards> Rewards::score(const std::vector<std::string>& questions, const std::vector<std::string>& golds,
                                          const std::vector<std::string>& completions,
                                          const std::vector<std::vector<int32_t>>& tokens) const {
  const size_t n = completions.size();
  std::vector<SampleRewards> out(n);
  std::vector<eval::SampleGrade> grades(n);
#pragma omp parallel for schedule(dynamic, 16)
  for (size_t i = 0; i < n; ++i) grades[i] = eval::grade_completion(completions[i], golds[i], style_, {});
  for (size_t i = 0; i < n; ++i) {
    out[i].correct = grades[i].correct;
    out[i].by_source.assign(sources_.size(), 0.0);
  }
  for (size_t s = 0; s < sources_.size(); ++s) {
    const RewardSource& src = sources_[s];
    if (src.kind == "rule") {
      for (size_t i = 0; i < n; ++i) out[i].by_source[s] = grades[i].correct ? 1.0 : 0.0;
    } else if (src.kind == "format") {
      for (size_t i = 0; i < n; ++i) out[i].by_source[s] = grades[i].extracted.empty() ? 0.0 : 1.0;
    } else {
      std::vector<std::vector<std::string>> steps(n);
      std::vector<std::vector<int>> ends(n);
      for (size_t i = 0; i < n; ++i) {
        if (src.model_kind == RewardKind::process) {
          split_steps(tokenizer_, completions[i], tokens[i], models_[s]->format.step_separator, steps[i], ends[i]);
          if (steps[i].empty()) {  // an empty completion is one empty step ending at its last token
            steps[i] = {completions[i]};
            ends[i] = {std::max(0, static_cast<int>(tokens[i].size()) - 1)};
          }
        } else {
          steps[i] = {completions[i]};
        }
      }
      const auto scores = models_[s]->scorer->score(questions, steps);
      for (size_t i = 0; i < n; ++i) {
        if (src.model_kind == RewardKind::process) {
          out[i].step_rewards.assign(scores[i].begin(), scores[i].end());
          out[i].step_ends = ends[i];
          double worst = 1.0;
          for (float v : scores[i]) worst = std::min(worst, static_cast<double>(v));
          out[i].by_source[s] = worst;
        } else {
          out[i].by_source[s] = scores[i][0];
        }
      }
    }
  }
  for (size_t i = 0; i < n; ++i)
    for (size_t s = 0; s < sources_.size(); ++s) out[i].total += sources_[s].weight * out[i].by_source[s];
  return out;
}

}  // namespace dsmath::rl
