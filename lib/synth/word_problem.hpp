#pragma once
// Generated multi-step arithmetic word problems with worked solutions: the small math world of
// the quickstart (issue 10), in the spirit of GSM8K (Cobbe et al. 2021) but small enough that
// a ~1M-parameter model can learn it on a CPU in minutes. A problem is a story of 1-3
// arithmetic steps; its solution is one short sentence per step with the arithmetic written
// out ("Tom has 3 + 5 = 8 apples."), then a final-answer line in the form a stage expects
// (docs/synth.md).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.hpp"

namespace dsmath::synth {

enum class Op { add, subtract, multiply, divide };

char op_symbol(Op op);  // '+', '-', '*', '/' (GSM8K writes products with '*')

struct ArithmeticStep {
  int64_t left = 0;
  Op op = Op::add;
  int64_t right = 0;
  int64_t result = 0;
  std::string text() const;  // "3 + 5 = 8"
};

struct WordProblem {
  std::string topic;                    // "shopping", "sharing", ... (one per template)
  std::string question;
  std::vector<std::string> solution;    // one sentence per step, each holding its step's text()
  std::vector<ArithmeticStep> steps;
  int64_t answer = 0;
  // Topic, story variant and every number, without names or objects: two problems with the
  // same signature are the same arithmetic in other words, so files are kept disjoint by it.
  std::string signature;
};

// Size of the problems: how many steps and how large the numbers may get.
struct ProblemLimits {
  int min_steps = 1;
  int max_steps = 3;
  int max_number = 20;   // largest number a question states for counts, prices, ages, distances
  int max_factor = 5;    // largest multiplier and divisor (2..max_factor)
  int max_answer = 999;  // every intermediate result and the answer lie in [1, max_answer]

  void validate() const;  // Error with a hint when the limits cannot make problems
};

// Draws a problem: a topic uniformly, a step count uniformly in [min_steps, max_steps], then
// names, objects and numbers, redrawing numbers until every result is a whole number in range.
WordProblem generate_problem(Rng& rng, const ProblemLimits& limits);

// The names of the topics (templates), in the order generate_problem draws from.
const std::vector<std::string_view>& problem_topics();

// Final-answer forms, one per consumer:
// "The answer is 8." - GSM8K 8-shot chain-of-thought exemplars; the web pages use it.
std::string qa_final_line(int64_t answer);
// "The answer is \boxed{8}." - instruct models are asked to "put your final answer within
// \boxed{}" (DeepSeekMath section 5.2), so SFT responses end this way.
std::string chat_final_line(int64_t answer);
// "#### 8" - the GSM8K reference answer format that `dsmath eval` reads gold answers from.
std::string gsm8k_final_line(int64_t answer);

// Solution sentences joined by spaces, then " " + the final line (web pages and SFT).
std::string worked_solution(const WordProblem& problem, std::string_view final_line);
// GSM8K reference answer: one sentence per line, then "\n#### N".
std::string gsm8k_solution(const WordProblem& problem);

}  // namespace dsmath::synth
