#include "eval/metrics.hpp"

#include <cmath>
#include <map>
#include <vector>

#include "core/error.hpp"
#include "eval/answer_normalize.hpp"
#include "eval/grade_sample.hpp"

namespace dsmath::eval {

MeanAndError mean_and_standard_error(std::span<const double> values) {
  MeanAndError m;
  if (values.empty()) return m;
  const auto n = static_cast<double>(values.size());
  for (double v : values) m.mean += v;
  m.mean /= n;
  if (values.size() < 2) return m;
  double squares = 0;
  for (double v : values) squares += (v - m.mean) * (v - m.mean);
  m.standard_error = std::sqrt(squares / (n - 1.0) / n);
  return m;
}

double pass_at_k(int64_t n, int64_t c, int64_t k) {
  DSMATH_CHECK(n >= 0 && c >= 0 && c <= n && k >= 1 && k <= n, "pass@k needs 0 <= c <= n and 1 <= k <= n (n={}, c={}, k={})",
               n, c, k);
  if (n - c < k) return 1.0;  // every k-subset holds a correct sample
  double all_wrong = 1.0;
  for (int64_t i = n - c + 1; i <= n; ++i) all_wrong *= 1.0 - static_cast<double>(k) / static_cast<double>(i);
  return 1.0 - all_wrong;
}

MajorityVote majority_vote(std::span<const std::string> answers, AnswerStyle style, const GradePolicy& policy) {
  struct Group {
    size_t first;
    size_t votes;
  };
  std::vector<Group> groups;
  std::map<std::string, size_t> group_of_normalized;  // fast path: identical spellings
  MajorityVote result;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].empty()) continue;
    ++result.voters;
    const std::string key = normalize_answer(answers[i]);
    auto known = group_of_normalized.find(key);
    size_t g = groups.size();
    if (known != group_of_normalized.end()) {
      g = known->second;
    } else {
      for (size_t j = 0; j < groups.size(); ++j) {
        if (grade_answer(answers[i], answers[groups[j].first], style, policy).correct) {
          g = j;
          break;
        }
      }
      group_of_normalized.emplace(key, g);
    }
    if (g == groups.size()) groups.push_back({i, 0});
    ++groups[g].votes;
  }
  for (const auto& grp : groups) {
    if (!result.winner || grp.votes > result.votes) {  // strict: ties stay with the earlier group
      result.winner = grp.first;
      result.votes = grp.votes;
    }
  }
  return result;
}

}  // namespace dsmath::eval
