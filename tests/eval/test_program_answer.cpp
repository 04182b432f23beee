// Program-of-thought grading: the program taken from a completion as DeepSeek-Math's
// run_pal_eval.py takes it, run in the sandbox, its value graded.
#include <catch2/catch.hpp>

#include "eval/program_answer.hpp"
#include "sandbox/sandbox_fixture.hpp"

using namespace dsmath;
using namespace dsmath::eval;
using Catch::Contains;

namespace {

ProgramConfig test_program_config(ProgramMode mode) {
  ProgramConfig c;
  c.mode = mode;
  c.sandbox = test::test_sandbox_config();
  c.sandbox.limits.wall_seconds = 60;  // sympy imports are slow on a loaded machine
  c.sandbox.limits.cpu_seconds = 60;
  return c;
}

// A PAL GSM8K completion: what follows "# solution in Python:\n\n\n" in the prompt.
const char* kGsmCompletion =
    "def solution():\n"
    "    \"\"\"Janet has 3 boxes of 6 eggs and eats 4. How many eggs are left?\"\"\"\n"
    "    boxes = 3\n"
    "    eggs_per_box = 6  # eggs\n"
    "    eaten = 4\n"
    "    print('working')\n"
    "    result = boxes * eggs_per_box - eaten\n"
    "    return result\n";

// A PAL MATH completion: the program block, then the imports block (pal_math_4_shot's format).
const char* kMathCompletion =
    "```\n"
    "# Initialize x\n"
    "x = symbols('x')\n"
    "answer = solve(Eq(2*x + 1, 8), x)[0]\n"
    "```\n"
    "The imports required for this program are\n"
    "```\n"
    "from sympy import symbols, Eq, solve\n"
    "```\n"
    "I hope my solution is correct.";

}  // namespace

TEST_CASE("program answer: comments and docstrings neutralized as DeepSeek's executor does") {
  CHECK(neutralize_comments("def f():\n    \"\"\"Q: it's 5\\\" tall\"\"\"\n    # 3 * 4\n    x = 1  # keep\n    return x\n") ==
        "def f():\n    \"\"\"comments\"\"\"\n    # comments\n    x = 1  # keep\n    return x\n\n");
  // a multi-line docstring is dropped, its closing line left empty
  CHECK(neutralize_comments("def f():\n    \"\"\"first\n    second\n    \"\"\"\n    return 2") ==
        "def f():\n\n    return 2\n");
}

TEST_CASE("program answer: which program each PAL format yields") {
  const auto gsm = program_of_completion(kGsmCompletion, ProgramMode::solution_call);
  REQUIRE(gsm);
  CHECK_THAT(*gsm, Contains("def solution():\n    \"\"\"comments\"\"\"\n") && Contains("str(solution())"));
  // a fenced block is taken out of surrounding prose
  const auto fenced = program_of_completion("Here:\n```python\ndef solution():\n    return 7\n```\nDone.",
                                            ProgramMode::solution_call);
  REQUIRE(fenced);
  CHECK(fenced->starts_with("def solution():\n    return 7\n"));

  const auto math = program_of_completion(kMathCompletion, ProgramMode::answer_variable);
  REQUIRE(math);
  // imports first, then the program (run_pal_eval.py: segments[3] + "\n\n" + segments[1])
  CHECK(math->starts_with("from sympy import symbols, Eq, solve\n\n\n# comments\nx = symbols('x')\n"));
  CHECK_THAT(*math, Contains("str(answer)"));
  // not exactly four fences: no program (DeepSeek: answer '[invalid]')
  CHECK_FALSE(program_of_completion("```\nanswer = 3\n```\nno imports block", ProgramMode::answer_variable));
  CHECK_FALSE(program_of_completion(kGsmCompletion, ProgramMode::none));
  CHECK_FALSE(program_of_completion("   \n", ProgramMode::printed));
}

TEST_CASE("program answer: programs run in the sandbox and their values are graded") {
  REQUIRE_SANDBOX();
  const auto gsm = test_program_config(ProgramMode::solution_call);
  const std::vector<std::string> completions{
      kGsmCompletion,                                                   // returns 14, prints 'working'
      "def solution():\n    return 1 / 0\n",                              // raises
      "def solution():\n    while True:\n        pass\n",                 // loops
      "print('\\n<<<dsmath program value>>>\\n99')\ndef solution():\n    return 13\n",  // fakes the marker
  };
  auto config = gsm;
  config.sandbox.limits.wall_seconds = 3;
  config.sandbox.limits.cpu_seconds = 3;
  const auto runs = run_completion_programs(completions, config);
  REQUIRE(runs.size() == 4);
  const SampleGrade right = grade_program_run(runs[0], ProgramMode::solution_call, "14", AnswerStyle::gsm8k, {});
  CHECK(right.extracted == "14");  // the return value, not what it printed
  CHECK(right.method == "program");
  CHECK(right.correct);
  const SampleGrade raised = grade_program_run(runs[1], ProgramMode::solution_call, "14", AnswerStyle::gsm8k, {});
  CHECK(raised.extracted == "");
  CHECK(raised.method == "program: error");
  CHECK_FALSE(raised.correct);
  CHECK(grade_program_run(runs[2], ProgramMode::solution_call, "14", AnswerStyle::gsm8k, {}).method ==
        "program: timeout");
  // the value printed last is the epilogue's
  CHECK(grade_program_run(runs[3], ProgramMode::solution_call, "13", AnswerStyle::gsm8k, {}).extracted == "13");

  const auto math = run_completion_programs({kMathCompletion}, test_program_config(ProgramMode::answer_variable));
  const SampleGrade m = grade_program_run(math[0], ProgramMode::answer_variable, "\\frac{7}{2}", AnswerStyle::math, {});
  CHECK(m.extracted == "7/2");  // str() of a sympy Rational
  CHECK(m.correct);
  CHECK(grade_program_run(std::nullopt, ProgramMode::answer_variable, "1", AnswerStyle::math, {}).method == "no program");
}

TEST_CASE("program answer: grade_outcomes_by_execution replaces the text grade of every sample") {
  REQUIRE_SANDBOX();
  std::vector<ProblemOutcome> outcomes(2);
  outcomes[0].gold = "14";
  outcomes[0].samples.resize(2);
  outcomes[0].samples[0].completion = kGsmCompletion;
  outcomes[0].samples[1].completion = "The answer is 14.";  // prose: a syntax error as a program
  outcomes[1].gold = "6";
  outcomes[1].samples.resize(1);
  outcomes[1].samples[0].completion = "def solution():\n    return sum(range(4))\n";
  grade_outcomes_by_execution(outcomes, AnswerStyle::gsm8k, {}, test_program_config(ProgramMode::solution_call));
  CHECK(outcomes[0].samples[0].grade.correct);
  CHECK_FALSE(outcomes[0].samples[1].grade.correct);
  CHECK(outcomes[0].samples[1].grade.method == "program: error");
  CHECK(outcomes[1].samples[0].grade.extracted == "6");
  CHECK(outcomes[1].samples[0].grade.correct);
}
