#include "rl/rl_data.hpp"

#include <numeric>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "core/strings.hpp"
#include "data/jsonl.hpp"
#include "eval/benchmark.hpp"

namespace dsmath::rl {

std::vector<RlQuestion> load_rl_questions(const RlDataConfig& c) {
  std::vector<RlQuestion> out;
  for (const auto& file : c.train) {
    LineReader reader(file);
    std::string line;
    while (reader.next(line)) {
      if (trim(line).empty()) continue;
      const Json j = parse_json_object(line, reader.where());
      auto q = eval::text_field(j, c.question_field);
      auto a = eval::text_field(j, c.answer_field);
      if (!q || trim(*q).empty())
        fail_hint("set data.question_field to the key holding the question", "{}: no question in field '{}'", reader.where(),
                  c.question_field);
      if (!a || trim(*a).empty())
        fail_hint("set data.answer_field to the key holding the reference answer", "{}: no answer in field '{}'", reader.where(),
                  c.answer_field);
      out.push_back({*q, eval::gold_from_solution(*a, c.answer_style), reader.where()});
    }
  }
  if (out.empty()) fail_hint("check data.train", "GRPO: no questions in {}", join(c.train, ", "));
  return out;
}

QuestionSampler::QuestionSampler(size_t n, uint64_t seed) : n_(n), seed_(seed) { shuffle(0); }

void QuestionSampler::shuffle(int64_t epoch) {
  epoch_ = epoch;
  pos_ = 0;
  order_.resize(n_);
  std::iota(order_.begin(), order_.end(), size_t{0});
  Rng rng(mix64(seed_ ^ mix64(static_cast<uint64_t>(epoch) + 0x9a1)));
  for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.below(i)]);
}

std::vector<size_t> QuestionSampler::next(size_t count) {
  std::vector<size_t> out;
  while (out.size() < count) {
    if (pos_ >= order_.size()) {
      shuffle(epoch_ + 1);
      log::info("GRPO questions: epoch {}", epoch_ + 1);
    }
    out.push_back(order_[pos_++]);
  }
  return out;
}

Json QuestionSampler::state() const { return {{"epoch", epoch_}, {"position", pos_}}; }

void QuestionSampler::restore(const Json& j) {
  try {
    shuffle(j.at("epoch").get<int64_t>());
    pos_ = j.at("position").get<size_t>();
  } catch (const Json::exception& e) {
    fail("trainer_state.json: malformed question cursor: {}", e.what());
  }
  if (pos_ > n_) fail_hint("resume with the questions of the original run", "question cursor {} is beyond the {} questions", pos_, n_);
}

}  // namespace dsmath::rl
