#pragma once
// Aggregate metrics over sampled completions (DeepSeekMath section 5: greedy pass@1;
// self-consistency maj@64 at temperature 0.7).
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "eval/answer_extraction.hpp"
#include "eval/math_grader.hpp"

namespace dsmath::eval {

// Unbiased pass@k for a problem with n samples of which c are correct (Chen et al. 2021,
// "Evaluating Large Language Models Trained on Code", eq. 1): 1 - C(n-c, k) / C(n, k),
// computed as 1 - prod_{i=n-c+1}^{n} (1 - k/i), which never forms the huge binomials.
double pass_at_k(int64_t n, int64_t c, int64_t k);

// Mean of per-problem values and its standard error: sample standard deviation (n - 1) over
// sqrt(n); 0 for fewer than two values.
struct MeanAndError {
  double mean = 0, standard_error = 0;
};
MeanAndError mean_and_standard_error(std::span<const double> values);

struct MajorityVote {
  std::optional<size_t> winner;  // index of the first sample of the winning answer; none when no sample has one
  size_t votes = 0;              // samples in the winning group
  size_t voters = 0;             // samples with an answer
};

// Self-consistency vote over extracted answers ("" = no answer, ignored). Answers are grouped
// by equivalence under the grader (so "0.5" and "\frac12" vote together), each joining the
// first group it matches; the largest group wins, ties going to the group seen first.
MajorityVote majority_vote(std::span<const std::string> answers, AnswerStyle style, const GradePolicy& policy = {});

}  // namespace dsmath::eval
