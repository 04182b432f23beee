// Final-answer extraction: each marker, its priority, stop markers, and the per-style
// reductions (one number for GSM8K, one letter for multiple choice). Expected answers were
// read off the completions by hand.
#include <catch2/catch.hpp>

#include "eval/answer_extraction.hpp"
#include "eval/grade_sample.hpp"

using namespace dsmath::eval;

namespace {
ExtractedAnswer math(const std::string& s) { return extract_answer(s, AnswerStyle::math); }
ExtractedAnswer gsm(const std::string& s) { return extract_answer(s, AnswerStyle::gsm8k); }
ExtractedAnswer choice(const std::string& s) { return extract_answer(s, AnswerStyle::choice); }
}  // namespace

TEST_CASE("extraction: Minerva final-answer line") {
  auto a = math("so x<5.\nFinal Answer: The final answer is $[2,5)$. I hope it is correct.");
  CHECK(a.text == "[2,5)");
  CHECK(a.method == "final answer is");
  CHECK(math("The final answer is $\\$1.50$. I hope it is correct.").text == "\\$1.50");
  CHECK(math("Final Answer: The final answer is 12,000,023. I hope it is correct.").text == "12,000,023");
  // beats an earlier box; a box inside the span is unwrapped
  CHECK(math("$\\boxed{4}$\nFinal Answer: The final answer is $5$. I hope it is correct.").text == "5");
  CHECK(math("The final answer is $64-2=\\boxed{62}$.").text == "62");
  // prose that happens to contain the words is not the answer line
  a = math("The final answer is positive, because both factors are. So $\\boxed{\\frac{130}{231}}$.");
  CHECK(a.text == "\\frac{130}{231}");
  CHECK(a.method == "boxed");
}

TEST_CASE("extraction: last \\boxed{} with balanced braces") {
  CHECK(math("Thus $\\boxed{\\frac{1}{2}}$.").text == "\\frac{1}{2}");
  CHECK(math("first \\boxed{1}, then \\boxed{2}.").text == "2");
  CHECK(math("\\fbox{7}").text == "7");
  CHECK(math("answer \\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}").text == "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}");
  CHECK(math("$\\boxed 5$").text == "5");
  // a box left open by a truncated completion is skipped for the one before it
  CHECK(math("\\boxed{3} and later \\boxed{\\frac{1}{2").text == "3");
  CHECK(last_boxed("no box here") == std::nullopt);
}

TEST_CASE("extraction: 'The answer is', '####', last number") {
  auto a = gsm("She has 9 eggs. 9 * 2 = 18. The answer is 18.");
  CHECK(a.text == "18");
  CHECK(a.method == "answer is");
  CHECK(math("So the answer is $\\frac{3}{4}$.").text == "\\frac{3}{4}");
  CHECK(math("The answer is: 3.5").text == "3.5");
  CHECK(gsm("So the answer is 1,234.").text == "1234");
  CHECK(gsm("The answer is $18.00").text == "18.00");
  CHECK(gsm("The answer is 18 dollars.").text == "18");
  CHECK(gsm("Total: \\boxed{18 \\text{ dollars}}").text == "18");
  CHECK(gsm("4 + 14 = 18\n#### 18").method == "####");
  CHECK(gsm("#### 1,000").text == "1000");
  CHECK(gsm("\u6240\u4ee5\u7b54\u6848\u662f\uff1a9\u3002").text == "9");  // 所以答案是：9。
  a = gsm("She has 5 apples and 7 pears");
  CHECK(a.text == "7");
  CHECK(a.method == "last number");
  CHECK(gsm("it drops to -3").text == "-3");
  CHECK(gsm("5-3").text == "3");
  CHECK(gsm("it costs $1,250.50 in total").text == "1250.50");
  CHECK(gsm("worth .5 of it").text == "0.5");
  CHECK_FALSE(gsm("I do not know.").found());
  CHECK(hash_answer("a\n#### 72\n") == std::optional<std::string>("72"));
  CHECK(first_number("between 3 and 4") == std::optional<std::string>("3"));
}

TEST_CASE("extraction: stop markers cut a few-shot completion that ran on") {
  const std::vector<std::string> markers{"\nQ:"};
  const std::string completion = " 2 + 4 = 6. The answer is 6.\n\nQ: Tom has 3 cars...\nA: The answer is 7.";
  CHECK(cut_at_stop(completion, markers) == " 2 + 4 = 6. The answer is 6.\n");
  const SampleGrade g = grade_completion(completion, "6", AnswerStyle::gsm8k, markers);
  CHECK(g.extracted == "6");
  CHECK(g.correct);
}

TEST_CASE("grading: a listed gold answer may be boxed one box per answer") {
  const std::vector<std::string> none;
  SampleGrade g = grade_completion("so $x=\\boxed{2}$ or $x=\\boxed{3}$.", "2, 3", AnswerStyle::math, none);
  CHECK(g.correct);
  CHECK(g.extracted == "2, 3");
  CHECK(g.method == "boxed (several)");
  g = grade_completion("\\boxed{3} and \\boxed{-3}", "\\pm 3", AnswerStyle::math, none);
  CHECK(g.correct);
  // the last two boxes must be the answers: an intermediate box does not count
  g = grade_completion("first \\boxed{2}, then \\boxed{5} and \\boxed{3}", "2, 3", AnswerStyle::math, none);
  CHECK_FALSE(g.correct);
  CHECK(g.extracted == "3");
  CHECK(all_boxed("a \\boxed{1} b \\fbox{2} c \\boxed{\\frac{1}{2}}") == std::vector<std::string>{"1", "2", "\\frac{1}{2}"});
}

TEST_CASE("extraction: multiple choice reduces to one letter") {
  CHECK(choice("The final answer is (B). I hope it is correct.").text == "B");
  CHECK(choice("so the answer is C").text == "C");
  CHECK(choice("$\\boxed{D}$").text == "D");
  CHECK(choice("The answer is \\text{(A)}.").text == "A");
  CHECK_FALSE(choice("no letter given, 42").found());  // no last-number fallback for choices
  CHECK(grade_answer("(b)", "B", AnswerStyle::choice).correct);
  CHECK_FALSE(grade_answer("C", "B", AnswerStyle::choice).correct);
}

TEST_CASE("grading by style: cloze blanks in order") {
  const std::vector<std::string> none;
  // the whole line after the marker holds the blanks, each in its own $...$
  CHECK(extract_answer("\u6240\u4ee5\u7b54\u6848\u662f $5$;$10$", AnswerStyle::cloze).text == "5;10");
  CHECK(grade_completion("\u7b54\u6848\u662f $5$ \u548c $\\frac{20}{2}$\u3002", "5;10", AnswerStyle::cloze, none).correct);
  CHECK(grade_completion("\u7b54\u6848\u662f $-\\frac{1}{n}$", "-\\frac{1}{n}", AnswerStyle::cloze, none).correct);
  CHECK(grade_answer("5;10", "5;10", AnswerStyle::cloze).correct);
  CHECK(grade_answer("5, \\frac{20}{2}", "5;10", AnswerStyle::cloze).correct);
  CHECK_FALSE(grade_answer("10;5", "5;10", AnswerStyle::cloze).correct);
  CHECK_FALSE(grade_answer("5", "5;10", AnswerStyle::cloze).correct);
  CHECK(grade_answer("\\frac{8}{9}", "\\frac{8}{9}", AnswerStyle::cloze).correct);
}

TEST_CASE("realistic completions: extraction and grading together, verdicts decided by hand") {
  struct Case {
    const char* completion;
    const char* gold;
    AnswerStyle style;
    bool correct;
  };
  const std::vector<Case> cases{
      // instruct / RL models: boxed answers in prose
      {"The area is $\\pi r^2 = 18\\pi$, so the answer is $\\boxed{18\\pi}$ square units.", "18\\pi", AnswerStyle::math, true},
      {"Thus $(x, y) = \\boxed{(3, -1)}$.", "(3,-1)", AnswerStyle::math, true},
      {"Thus $(x, y) = \\boxed{(3, 1)}$.", "(3,-1)", AnswerStyle::math, false},
      {"Therefore $x \\in \\boxed{[-2, 7]}$.", "[-2,7]", AnswerStyle::math, true},
      {"Therefore $x \\in \\boxed{[-2, 7)}$.", "[-2,7]", AnswerStyle::math, false},
      {"So the solution is $\\boxed{x = 2}$.", "2", AnswerStyle::math, true},
      {"So the solution is $\\boxed{x = 2}$.", "-2", AnswerStyle::math, false},
      {"The roots are $\\boxed{2, 3}$.", "3, 2", AnswerStyle::math, true},
      {"This simplifies to $\\boxed{\\dfrac{1}{\\sqrt{2}}}$.", "\\frac{\\sqrt{2}}{2}", AnswerStyle::math, true},
      {"The probability is $\\boxed{0.12}$.", "\\frac{3}{25}", AnswerStyle::math, true},
      {"The probability is $\\boxed{0.1}$.", "\\frac{3}{25}", AnswerStyle::math, false},
      {"The rate rose by $\\boxed{12\\%}$.", "12", AnswerStyle::math, true},
      {"Hence the answer is $\\boxed{\\text{(B)}}$.", "\\text{(B)}", AnswerStyle::math, true},
      {"We get $\\boxed{x^2 - 1}$.", "(x-1)(x+1)", AnswerStyle::math, true},
      {"We get $\\boxed{x^2 + 1}$.", "(x-1)(x+1)", AnswerStyle::math, false},
      // base model, Minerva 4-shot, running on into a new problem
      {" We have $2x = 3$.\nFinal Answer: The final answer is $\\frac{3}{2}$. I hope it is correct.\n\nProblem:\n"
       "Find $y$.\n\nSolution:\nFinal Answer: The final answer is $7$. I hope it is correct.",
       "\\frac{3}{2}", AnswerStyle::math, true},
      // base model, GSM8K 8-shot
      {" He buys 3 packs of 4, so 3 * 4 = 12 eggs. The answer is 12.\n\n\nQ: Another question?\nA: The answer is 5.",
       "12", AnswerStyle::gsm8k, true},
      {" Natalia sold 48 / 2 = 24 clips in May. In total 48 + 24 = 72. The answer is 72.", "72", AnswerStyle::gsm8k, true},
      {" She earns $1,200 a month, so the answer is $14,400.", "14400", AnswerStyle::gsm8k, true},
      {" She earns $1,200 a month. The answer is 1440.", "14400", AnswerStyle::gsm8k, false},
      {"Step 1: 5 + 7 = 12. Step 2: 12 * 2 = 24.", "24", AnswerStyle::gsm8k, true},  // last number
      // CMATH, MMLU-STEM
      {"\u4e00\u5171\u662f 3 \u00d7 6 = 18 \u5305\u3002\u6240\u4ee5\u7b54\u6848\u662f\uff1a18\u3002", "18", AnswerStyle::gsm8k, true},
      {"The degree is 4.\nFinal Answer: The final answer is (B). I hope it is correct.", "B", AnswerStyle::choice, true},
      {"The degree is 4.\nFinal Answer: The final answer is (C). I hope it is correct.", "B", AnswerStyle::choice, false},
  };
  const std::vector<std::string> none;
  for (const auto& c : cases) {
    const SampleGrade g = grade_completion(c.completion, c.gold, c.style, default_stop_markers(c.style));
    INFO(c.completion << "\ngold: " << c.gold << "\nextracted: " << g.extracted << " (" << g.method << "), rule "
                      << g.rule);
    CHECK(g.correct == c.correct);
  }
}
