#pragma once
// Questions with reference answers for GRPO, drawn in a seeded order that is reshuffled every
// epoch; the cursor is saved in checkpoints.
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "rl/grpo_config.hpp"

namespace dsmath::rl {

struct RlQuestion {
  std::string question;
  std::string gold;  // final answer
  std::string where; // file:line
};

std::vector<RlQuestion> load_rl_questions(const RlDataConfig& config);

class QuestionSampler {
 public:
  QuestionSampler(size_t n_questions, uint64_t seed);
  // The next `count` question indices (all ranks draw the same list).
  std::vector<size_t> next(size_t count);
  Json state() const;
  void restore(const Json& state);

 private:
  void shuffle(int64_t epoch);
  size_t n_;
  uint64_t seed_;
  int64_t epoch_ = 0;
  size_t pos_ = 0;
  std::vector<size_t> order_;
};

}  // namespace dsmath::rl
