#include "synth/problem_source.hpp"

#include "core/error.hpp"

namespace dsmath::synth {

ProblemSource::ProblemSource(ProblemLimits limits) : limits_(limits) { limits_.validate(); }

WordProblem ProblemSource::draw_unreserved(Rng& rng) {
  // Hits grow common only when the reserved set covers most of the space; 2000 in a row
  // means it does.
  constexpr int kMaxHits = 2000;
  for (int attempt = 0; attempt < kMaxHits; ++attempt) {
    WordProblem p = generate_problem(rng, limits_);
    if (!reserved_.contains(p.signature)) return p;
  }
  fail_hint("ask for fewer held-out problems, or raise --max-number, --max-factor or --max-steps",
            "{} held-out problems use up the problems that fit the limits (steps {}-{}, numbers up to {}, factors up "
            "to {})",
            reserved_.size(), limits_.min_steps, limits_.max_steps, limits_.max_number, limits_.max_factor);
}

WordProblem ProblemSource::held_out(Rng& rng) {
  WordProblem p = draw_unreserved(rng);
  reserved_.insert(p.signature);
  return p;
}

WordProblem ProblemSource::training(Rng& rng) { return draw_unreserved(rng); }

}  // namespace dsmath::synth
