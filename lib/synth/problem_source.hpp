#pragma once
// Where every file of a dataset gets its problems. Held-out problems are drawn first, without
// repeats, and reserved: no training file (pages, SFT, RL) ever gets one, so held-out accuracy
// measures generalization. "The same problem" is the same arithmetic story
// (WordProblem::signature) whatever the names: a held-out problem is not a training problem
// with another name in it. Training files may repeat each other's problems, as real corpora
// do; the easy one-step problems are few enough that forbidding that would starve them.
#include <cstddef>
#include <string>
#include <unordered_set>

#include "core/rng.hpp"
#include "synth/word_problem.hpp"

namespace dsmath::synth {

class ProblemSource {
 public:
  explicit ProblemSource(ProblemLimits limits);
  // A problem no earlier held_out() call returned, reserved from now on.
  WordProblem held_out(Rng& rng);
  // A problem that is not reserved.
  WordProblem training(Rng& rng);
  size_t reserved() const { return reserved_.size(); }
  const ProblemLimits& limits() const { return limits_; }

 private:
  WordProblem draw_unreserved(Rng& rng);
  ProblemLimits limits_;
  std::unordered_set<std::string> reserved_;  // membership only: output order never depends on it
};

}  // namespace dsmath::synth
