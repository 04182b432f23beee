// Word problems: every solution's arithmetic recomputed from its text, every number of a
// solution traced to the question or an earlier result, limits respected, and the grader of
// `dsmath eval` reading the final answer of every form the generator writes.
#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "core/error.hpp"
#include "eval/grade_sample.hpp"
#include "synth/problem_source.hpp"
#include "synth/word_problem.hpp"

using namespace dsmath;
using namespace dsmath::synth;

namespace {

struct Equation {
  int64_t left, right, result;
  char op;
};

// "a op b = c" equations of a text, found independently of the generator's own step list.
std::vector<Equation> equations_in(const std::string& text) {
  static const std::regex kEquation(R"((\d+) ([-+*/]) (\d+) = (\d+))");
  std::vector<Equation> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kEquation); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    out.push_back({std::stoll(m[1]), std::stoll(m[3]), std::stoll(m[4]), m[2].str()[0]});
  }
  return out;
}

std::set<int64_t> numbers_in(const std::string& text) {
  static const std::regex kNumber(R"(\d+)");
  std::set<int64_t> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kNumber); it != std::sregex_iterator(); ++it)
    out.insert(std::stoll(it->str()));
  return out;
}

int64_t apply(char op, int64_t a, int64_t b) {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    default: return b != 0 && a % b == 0 ? a / b : -1;  // inexact division never matches
  }
}

std::vector<WordProblem> sample(const ProblemLimits& limits, int count, uint64_t seed) {
  Rng rng(seed);
  std::vector<WordProblem> out;
  for (int i = 0; i < count; ++i) out.push_back(generate_problem(rng, limits));
  return out;
}

}  // namespace

TEST_CASE("every solution's arithmetic is correct and follows from the question") {
  ProblemLimits limits;
  for (const int max_number : {5, 20, 60}) {
    limits.max_number = max_number;
    limits.max_factor = max_number >= 20 ? 9 : 3;
    limits.max_answer = max_number >= 20 ? 999 : 100;
    for (const auto& p : sample(limits, 1500, static_cast<uint64_t>(max_number))) {
      INFO(p.question << "\n" << gsm8k_solution(p));
      const auto eqs = equations_in(gsm8k_solution(p));
      REQUIRE(eqs.size() == p.steps.size());
      REQUIRE(eqs.size() >= 1);
      REQUIRE(eqs.size() <= 3);
      // numbers an equation may use: those the question states, and earlier results
      std::set<int64_t> known = numbers_in(p.question);
      for (const auto& e : eqs) {
        CHECK(apply(e.op, e.left, e.right) == e.result);
        CHECK(known.count(e.left) == 1);
        CHECK(known.count(e.right) == 1);
        CHECK(e.result >= 1);
        CHECK(e.result <= limits.max_answer);
        known.insert(e.result);
      }
      CHECK(eqs.back().result == p.answer);
      CHECK(gsm8k_solution(p).ends_with("\n#### " + std::to_string(p.answer)));
    }
  }
}

TEST_CASE("the eval grader extracts the answer of every solution form") {
  const auto problems = sample(ProblemLimits{}, 2000, 11);
  const auto stops = eval::default_stop_markers(eval::AnswerStyle::gsm8k);
  size_t correct_chat = 0, correct_qa = 0, correct_gsm8k = 0;
  for (const auto& p : problems) {
    const std::string gold = std::to_string(p.answer);
    const auto chat = eval::grade_completion(worked_solution(p, chat_final_line(p.answer)), gold,
                                             eval::AnswerStyle::gsm8k, stops);
    const auto qa = eval::grade_completion(worked_solution(p, qa_final_line(p.answer)), gold, eval::AnswerStyle::gsm8k,
                                           stops);
    const auto gsm = eval::grade_completion(gsm8k_solution(p), gold, eval::AnswerStyle::gsm8k, stops);
    correct_chat += chat.correct && chat.extracted == gold;
    correct_qa += qa.correct && qa.extracted == gold;
    correct_gsm8k += gsm.correct && gsm.extracted == gold;
    // a wrong final number is graded wrong: the grader does not read an intermediate result
    CHECK_FALSE(eval::grade_completion(worked_solution(p, chat_final_line(p.answer + 1)), gold,
                                       eval::AnswerStyle::gsm8k, stops)
                    .correct);
  }
  CHECK(correct_chat == problems.size());
  CHECK(correct_qa == problems.size());
  CHECK(correct_gsm8k == problems.size());
  // the generic style (no benchmark given) reads them too
  const auto& p = problems.front();
  CHECK(eval::grade_completion(worked_solution(p, chat_final_line(p.answer)), std::to_string(p.answer),
                               eval::AnswerStyle::generic, stops)
            .correct);
}

TEST_CASE("problems respect the step and number limits") {
  ProblemLimits limits;
  limits.min_steps = limits.max_steps = 2;
  limits.max_number = 12;
  limits.max_factor = 4;
  limits.max_answer = 200;
  std::set<std::string> topics;
  for (const auto& p : sample(limits, 800, 5)) {
    INFO(p.question);
    CHECK(p.steps.size() == 2);
    topics.insert(p.topic);
    for (const auto& s : p.steps) {
      CHECK(s.result <= limits.max_answer);
      if (s.op == Op::multiply) CHECK(std::min(s.left, s.right) <= limits.max_factor);
      if (s.op == Op::divide) CHECK(s.right <= limits.max_factor);
    }
  }
  CHECK(topics.size() == problem_topics().size());  // every template makes 2-step problems
  for (int steps = 1; steps <= 3; ++steps) {
    limits.min_steps = limits.max_steps = steps;
    limits.max_answer = 999;
    std::set<std::string> with_steps;
    for (const auto& p : sample(limits, 800, 6)) with_steps.insert(p.topic);
    CHECK(with_steps.size() == problem_topics().size());
  }
}

TEST_CASE("the same seed draws the same problems") {
  const auto a = sample(ProblemLimits{}, 200, 99), b = sample(ProblemLimits{}, 200, 99), c = sample(ProblemLimits{}, 200, 98);
  size_t same_as_other_seed = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].question == b[i].question);
    CHECK(a[i].signature == b[i].signature);
    same_as_other_seed += a[i].question == c[i].question;
  }
  CHECK(same_as_other_seed < 5);
}

TEST_CASE("held-out problems are never drawn for training") {
  ProblemLimits limits;
  limits.max_number = 6;  // a small space, so that collisions would happen if allowed
  limits.max_factor = 3;
  limits.max_answer = 100;
  ProblemSource source(limits);
  Rng rng(3);
  std::set<std::string> held;
  for (int i = 0; i < 200; ++i) {
    const auto p = source.held_out(rng);
    CHECK(held.insert(p.signature).second);  // no repeats inside the held-out set either
  }
  CHECK(source.reserved() == 200);
  for (int i = 0; i < 3000; ++i) CHECK(held.count(source.training(rng).signature) == 0);
}

TEST_CASE("impossible limits are clear errors") {
  ProblemLimits limits;
  limits.max_steps = 4;
  CHECK_THROWS_WITH(limits.validate(), Catch::Contains("steps"));
  limits = {};
  limits.max_factor = 1;
  CHECK_THROWS_AS(limits.validate(), Error);
  limits = {};
  limits.max_answer = 10;
  CHECK_THROWS_WITH(ProblemSource{limits}, Catch::Contains("max_answer"));
  // a space too small for the held-out set asked for: an error naming the cause, not a hang
  limits = {};
  limits.min_steps = limits.max_steps = 1;
  limits.max_number = 5;
  limits.max_factor = 2;
  ProblemSource tiny(limits);
  Rng rng(1);
  CHECK_THROWS_WITH(
      [&] {
        for (int i = 0; i < 100000; ++i) tiny.held_out(rng);
      }(),
      Catch::Contains("held-out problems use up"));
}
