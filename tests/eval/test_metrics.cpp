// pass@k and maj@k against hand computations, and the summary over graded problems.
#include <catch2/catch.hpp>

#include <cmath>

#include "eval/eval_results.hpp"
#include "eval/metrics.hpp"

using namespace dsmath::eval;

TEST_CASE("pass@k: unbiased estimator against hand-computed binomials") {
  CHECK(pass_at_k(5, 2, 1) == Approx(0.4));               // c/n
  CHECK(pass_at_k(5, 2, 2) == Approx(1.0 - 3.0 / 10.0));  // 1 - C(3,2)/C(5,2)
  CHECK(pass_at_k(5, 2, 3) == Approx(1.0 - 1.0 / 10.0));  // 1 - C(3,3)/C(5,3)
  CHECK(pass_at_k(5, 2, 4) == 1.0);                       // n - c < k: every 4-subset has a correct one
  CHECK(pass_at_k(5, 0, 3) == 0.0);
  CHECK(pass_at_k(10, 10, 1) == 1.0);
  CHECK(pass_at_k(64, 1, 64) == 1.0);
  // 1 - C(97,10)/C(100,10) = 1 - (90*89*88)/(100*99*98)
  CHECK(pass_at_k(100, 3, 10) == Approx(1.0 - 704880.0 / 970200.0).epsilon(1e-12));
  // large n: the product form against log-gamma binomials
  const double n = 1000, c = 500, k = 100;
  const double log_ratio = std::lgamma(n - c + 1) + std::lgamma(n - k + 1) - std::lgamma(n - c - k + 1) - std::lgamma(n + 1);
  CHECK(pass_at_k(1000, 500, 100) == Approx(1.0 - std::exp(log_ratio)).epsilon(1e-9));
  CHECK(pass_at_k(1000, 1, 1) == Approx(0.001));
}

TEST_CASE("maj@k: equivalent answers vote together, blanks abstain, ties go to the first seen") {
  std::vector<std::string> answers{"12", "", "0.5", "\\frac{1}{2}", "12"};
  MajorityVote v = majority_vote(answers, AnswerStyle::math);
  REQUIRE(v.winner);
  CHECK(*v.winner == 0);  // 12 (2 votes) and 1/2 (2 votes) tie; 12 was seen first
  CHECK(v.votes == 2);
  CHECK(v.voters == 4);

  answers = {"3", "4", "\\dfrac{8}{2}"};
  v = majority_vote(answers, AnswerStyle::math);
  CHECK(*v.winner == 1);
  CHECK(v.votes == 2);

  answers = {"", "", ""};
  v = majority_vote(answers, AnswerStyle::math);
  CHECK_FALSE(v.winner);
  CHECK(v.voters == 0);

  answers = {"C", "B", "(B)", "C", "\\text{(B)}"};
  v = majority_vote(answers, AnswerStyle::choice);
  CHECK(*v.winner == 1);
  CHECK(v.votes == 3);
}

namespace {
ProblemOutcome problem(const std::string& id, const std::vector<std::pair<std::string, bool>>& samples,
                       const std::string& subject) {
  ProblemOutcome o;
  o.problem_id = id;
  o.meta["subject"] = subject;
  for (const auto& [answer, correct] : samples) {
    SampleOutcome s;
    s.grade.extracted = answer;
    s.grade.correct = correct;
    o.samples.push_back(s);
  }
  return o;
}
}  // namespace

TEST_CASE("summary: pass@k, maj@k, no-answer count and per-subject accuracy by hand") {
  // gold of every problem is "1"; the verdicts below are what the grader would give
  std::vector<ProblemOutcome> outcomes{
      problem("p0", {{"1", true}, {"2", false}, {"1", true}, {"", false}}, "Algebra"),   // c=2, majority 1 (right)
      problem("p1", {{"2", false}, {"2", false}, {"1", true}, {"3", false}}, "Algebra"), // c=1, majority 2 (wrong)
      problem("p2", {{"", false}, {"", false}, {"", false}, {"", false}}, "Geometry"),   // c=0, no vote
  };
  MetricsSpec spec;
  spec.pass_k = {1, 2, 4, 8};  // 8 > 4 samples: skipped
  spec.maj_k = {1, 4};
  const EvalSummary s = summarize(outcomes, spec, AnswerStyle::math, {}, "toy", "none");
  CHECK(s.problems == 3);
  CHECK(s.samples_per_problem == 4);
  CHECK(s.samples == 12);
  CHECK(s.no_answer == 5);
  REQUIRE(s.metrics.size() == 5);
  CHECK(s.metrics[0].first == "pass@1");
  CHECK(s.metrics[0].second == Approx((2.0 / 4 + 1.0 / 4 + 0) / 3));
  CHECK(s.metrics[1].first == "pass@2");
  // p0: 1 - C(2,2)/C(4,2) = 5/6; p1: 1 - C(3,2)/C(4,2) = 1/2; p2: 0
  CHECK(s.metrics[1].second == Approx((5.0 / 6 + 0.5 + 0) / 3));
  CHECK(s.metrics[2].first == "pass@4");
  CHECK(s.metrics[2].second == Approx(2.0 / 3));
  CHECK(s.metrics[3].first == "maj@1");  // the first sample's verdict
  CHECK(s.metrics[3].second == Approx(1.0 / 3));
  CHECK(s.metrics[4].first == "maj@4");
  CHECK(s.metrics[4].second == Approx(1.0 / 3));
  REQUIRE(s.breakdown.size() == 1);
  CHECK(s.breakdown[0].first == "subject");
  CHECK(s.breakdown[0].second[0].first == "Algebra");
  CHECK(s.breakdown[0].second[0].second == std::pair<size_t, size_t>{1, 2});

  const auto j = s.to_json();
  CHECK(j["metrics"]["pass@2"].get<double>() == Approx((5.0 / 6 + 0.5) / 3));
  CHECK(j["grading_policy"] == "default");
  CHECK(j["grading_rules"].get<std::string>() == kGradingPolicy);
  // per-problem pass@2 values 5/6, 1/2, 0: mean 4/9, sample variance 57/324, stderr sqrt(57/324/3) = sqrt(19)/18
  CHECK(j["metrics_stderr"]["pass@2"].get<double>() == Approx(std::sqrt(19.0) / 18.0));
  const EvalSummary back = EvalSummary::from_json(j, "summary.json");
  CHECK(back.metrics == s.metrics);
  CHECK(s.table().find("maj@4") != std::string::npos);
}
