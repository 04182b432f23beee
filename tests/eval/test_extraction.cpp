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
  CHECK(grade_answer("5;10", "5;10", AnswerStyle::cloze).correct);
  CHECK(grade_answer("5, \\frac{20}{2}", "5;10", AnswerStyle::cloze).correct);
  CHECK_FALSE(grade_answer("10;5", "5;10", AnswerStyle::cloze).correct);
  CHECK_FALSE(grade_answer("5", "5;10", AnswerStyle::cloze).correct);
  CHECK(grade_answer("\\frac{8}{9}", "\\frac{8}{9}", AnswerStyle::cloze).correct);
}
