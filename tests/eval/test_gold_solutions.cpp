// Extraction round trips on the benchmarks' own reference solutions: GSM8K test (1319) and
// MATH test (5000). The benchmark's gold answer is itself extracted from the same solution
// ("#### N", the last \boxed{}), so grading a reference solution against it checks only that
// the completion path (stop markers, extraction for the benchmark's style, normalization)
// finds that answer again in the full text and in the other final-answer endings a model
// writes ("The answer is N.", the Minerva line); >= 99.5% (the issue's bar), every exception
// listed in the output. It says nothing about whether the grader is right on a model's
// answer: that is judged against independent verdicts in test_grader_cases.cpp and against
// SymPy's labels in test_math_grader.cpp. The third case does test the normalizer on real
// answers: MATH's 5000 gold answers against re-spellings of themselves (must stay equal) and
// one-digit mutations (must become unequal: the grader's false-positive rate).
#include <catch2/catch.hpp>

#include <sstream>

#include "core/json.hpp"
#include "core/strings.hpp"
#include "eval/answer_extraction.hpp"
#include "eval/benchmark.hpp"
#include "eval/grade_sample.hpp"
#include "reference.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::eval;

namespace {

struct Tally {
  size_t total = 0, passed = 0;
  std::vector<std::string> exceptions;
  void add(bool ok, const std::string& what) {
    ++total;
    if (ok) ++passed;
    else exceptions.push_back(what);
  }
  double rate() const { return total ? static_cast<double>(passed) / static_cast<double>(total) : 0.0; }
  std::string report(const std::string& name, size_t max_listed = 40) const {
    std::string out = name + ": " + std::to_string(passed) + "/" + std::to_string(total) + " (" +
                      std::to_string(100.0 * rate()) + "%)";
    for (size_t i = 0; i < exceptions.size() && i < max_listed; ++i) out += "\n  " + exceptions[i];
    if (exceptions.size() > max_listed) out += "\n  ... " + std::to_string(exceptions.size() - max_listed) + " more";
    return out;
  }
};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

// GSM8K's calculator annotations "<<48/2=24>>" are not part of the prose.
std::string strip_calculator(std::string s) {
  for (size_t open; (open = s.find("<<")) != std::string::npos;) {
    size_t close = s.find(">>", open);
    if (close == std::string::npos) break;
    s.erase(open, close + 2 - open);
  }
  return s;
}

}  // namespace

TEST_CASE("extraction round trip: GSM8K reference solutions yield the gold answer extracted from them") {
  auto data = test::required_shared_data();
  if (!data) return;
  const Benchmark bench = load_benchmark(BenchmarkKind::gsm8k, *data / "gsm8k/test.jsonl");
  REQUIRE(bench.problems.size() == 1319);
  const auto records = test::read_jsonl(*data / "gsm8k/test.jsonl");
  const auto markers = default_stop_markers(AnswerStyle::gsm8k);
  Tally as_is, answer_is, last_number_only;
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string solution = records[i]["answer"].get<std::string>();
    const std::string& gold = bench.problems[i].gold;
    // 1. the reference solution as written, ending in "#### N"
    auto g = grade_completion(solution, gold, AnswerStyle::gsm8k, markers);
    as_is.add(g.correct, bench.problems[i].id + ": extracted '" + g.extracted + "' gold '" + gold + "'");
    // 2. in the 8-shot exemplar style: prose, then "The answer is N."
    const std::string prose = strip_calculator(solution.substr(0, solution.rfind("####")));
    g = grade_completion(prose + "The answer is " + std::string(trim(solution.substr(solution.rfind("####") + 4))) + ".",
                         gold, AnswerStyle::gsm8k, markers);
    answer_is.add(g.correct, bench.problems[i].id + ": extracted '" + g.extracted + "' gold '" + gold + "'");
    // 3. no final-answer line at all: the last-number fallback (a heuristic; reported, not required)
    g = grade_completion(prose, gold, AnswerStyle::gsm8k, markers);
    last_number_only.add(g.correct, bench.problems[i].id + ": last number '" + g.extracted + "' gold '" + gold + "'");
  }
  WARN(as_is.report("GSM8K reference solutions (#### N), extraction round trip"));
  WARN(answer_is.report("GSM8K solutions ending 'The answer is N.'"));
  WARN(last_number_only.report("GSM8K solutions without a final line (last-number fallback)", 10));
  CHECK(as_is.rate() >= 0.995);
  CHECK(answer_is.rate() >= 0.995);
  CHECK(last_number_only.rate() >= 0.90);
}

TEST_CASE("extraction round trip: MATH (5000) reference solutions yield the gold answer extracted from them") {
  auto data = test::required_shared_data();
  if (!data) return;
  const Benchmark bench = load_benchmark(BenchmarkKind::math, *data / "math/math_test_5000.jsonl");
  REQUIRE(bench.problems.size() == 5000);
  const auto records = test::read_jsonl(*data / "math/math_test_5000.jsonl");
  const auto markers = default_stop_markers(AnswerStyle::math);
  Tally as_is, minerva;
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string solution = records[i]["solution"].get<std::string>();
    const std::string& gold = bench.problems[i].gold;
    auto g = grade_completion(solution, gold, AnswerStyle::math, markers);
    as_is.add(g.correct, bench.problems[i].id + ": extracted '" + g.extracted + "' gold '" + gold + "'");
    // the Minerva 4-shot ending the base model is prompted to produce
    g = grade_completion(solution + "\nFinal Answer: The final answer is $" + gold + "$. I hope it is correct.", gold,
                         AnswerStyle::math, markers);
    minerva.add(g.correct, bench.problems[i].id + ": extracted '" + g.extracted + "' gold '" + gold + "'");
  }
  WARN(as_is.report("MATH reference solutions (last \\boxed), extraction round trip"));
  WARN(minerva.report("MATH solutions with the Minerva final-answer line"));
  CHECK(as_is.rate() >= 0.995);
  CHECK(minerva.rate() >= 0.995);
}

TEST_CASE("normalizer on real answers: MATH gold answers against re-spellings and one-digit mutations") {
  auto data = test::required_shared_data();
  if (!data) return;
  const Benchmark bench = load_benchmark(BenchmarkKind::math, *data / "math/math_test_5000.jsonl");
  Tally respelled, mutated;
  for (const auto& p : bench.problems) {
    const std::string& g = p.gold;
    std::vector<std::pair<std::string, std::string>> variants{
        {"$..$", "$" + g + "$"},
        {"\\dfrac", replace_all(g, "\\frac", "\\dfrac")},
        {"\\boxed", "\\boxed{" + g + "}"},
        {"period", g + "."},
    };
    if (g.find("\\left") == std::string::npos && g.find("\\right") == std::string::npos)
      variants.emplace_back("\\left(", replace_all(replace_all(g, "(", "\\left( "), ")", " \\right)"));
    if (g.find("{,}") == std::string::npos && g.find("\\text") == std::string::npos)
      variants.emplace_back("spaces", replace_all(g, ",", ", "));
    for (const auto& [name, v] : variants) {
      const bool ok = math_equal(v, g).correct;
      respelled.add(ok, p.id + " [" + name + "]: '" + v + "' vs '" + g + "'");
    }
    // change the first digit that is not inside a \text{} unit: a different answer
    size_t pos = g.find_first_of("0123456789");
    if (pos == std::string::npos || g.find("\\text") != std::string::npos || g.find("\\mbox") != std::string::npos)
      continue;
    std::string m = g;
    m[pos] = static_cast<char>('0' + (m[pos] - '0' + 1) % 10);
    const GradeResult r = math_equal(m, g);
    mutated.add(!r.correct, p.id + ": '" + m + "' graded equal to '" + g + "' (rule " + r.rule + ")");
  }
  WARN(respelled.report("MATH gold answers re-spelled (must stay equal)"));
  WARN(mutated.report("MATH gold answers with one digit changed (must become unequal)"));
  CHECK(respelled.rate() >= 0.995);
  CHECK(mutated.rate() >= 0.995);
}
