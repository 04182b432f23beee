// The two grading policies side by side (the table of docs/eval.md), and the OCW Courses
// comparison of DeepSeek's eval_ocwcourses. Every expectation is worked by hand from the
// rules as DeepSeek-Math states them (evaluation/eval/eval_utils.py math_equal,
// eval_script.py is_correct and eval_ocwcourses, ocwcourses_eval_utils.py).
#include <catch2/catch.hpp>

#include "eval/answer_extraction.hpp"
#include "eval/grade_sample.hpp"
#include "eval/math_grader.hpp"
#include "eval/ocw_grader.hpp"

using namespace dsmath::eval;

TEST_CASE("grading.policy deepseek: where it accepts what the default policy does not") {
  const GradePolicy standard;
  const GradePolicy deepseek = deepseek_policy();
  struct Case {
    const char* predicted;
    const char* gold;
    bool standard_says, deepseek_says;
  };
  const Case cases[] = {
      {"1.414", "\\sqrt{2}", false, true},     // |1.414 - 1.41421| = 2.1e-4 < 1e-3
      {"3.1416", "\\pi", false, true},          // 7.3e-6 off (DeepSeek's parse_latex makes \pi a symbol: wrong there)
      {"0.333", "\\frac{1}{3}", false, true},   // 3.3e-4 off
      {"12.0004", "12", false, true},           // two decimals within 1e-3
      {"1.502", "1.5", false, false},           // 2e-3 off: outside the tolerance too
      {"25", "0.25", false, true},              // the gold x100
      {"0.25", "25", false, true},              // the gold /100
      {"2500", "25", false, true},              // x100 again
      {"250", "25", false, false},              // x10 is not accepted
      {"[1,2)", "(1,2]", false, true},          // brackets not compared
      {"(3,4)", "[3,4]", false, true},
      {"(4,3)", "(3,4)", false, false},         // items still in order
      {"\\frac{1}{2}", "0.5", true, true},      // both: equal values
      {"(x+1)^2", "x^2+2x+1", true, true},      // both: symbolic
      {"25\\%", "0.25", true, true},            // both: a percent sign
      {"2", "3", false, false},
  };
  for (const auto& c : cases) {
    INFO(c.predicted << " vs gold " << c.gold);
    CHECK(math_equal(c.predicted, c.gold, standard).correct == c.standard_says);
    CHECK(math_equal(c.predicted, c.gold, deepseek).correct == c.deepseek_says);
  }
  // through a whole completion and the GSM8K style
  CHECK(grade_completion("The answer is 18.0004.", "18", AnswerStyle::gsm8k, {}, deepseek).correct);
  CHECK_FALSE(grade_completion("The answer is 18.0004.", "18", AnswerStyle::gsm8k, {}, standard).correct);
  CHECK(std::string(grading_policy_name(deepseek)) == "deepseek");
  CHECK(std::string(grading_policy_text(standard)) == kGradingPolicy);
}

TEST_CASE("OCW: the Minerva answer line as DeepSeek's extract_ocwcourses_few_shot_answer reads it") {
  CHECK(ocw_final_answer("So s = 1.6 cm.\nFinal Answer: The final answer is 1.6. I hope it is correct.") == "1.6");
  CHECK(ocw_final_answer("The final answer is $4.5e33$. I hope it is correct.") == "$4.5e33$");
  // the first line holding the pattern wins; on it the last ". I hope it is correct"
  CHECK(ocw_final_answer("final answer is 3. I hope it is correct.\nfinal answer is 4. I hope it is correct.") == "3");
  // the pattern needs one character after "correct"
  CHECK_FALSE(ocw_final_answer("The final answer is 2. I hope it is correct").has_value());
  const ExtractedAnswer boxed = extract_answer("so $E = \\boxed{2}$", AnswerStyle::ocw);
  CHECK(boxed.text == "2");
  CHECK(boxed.method == "boxed");
  CHECK_FALSE(extract_answer("the result is 7", AnswerStyle::ocw).found());  // no last-number fallback
}

TEST_CASE("OCW: Minerva's normalize_tex") {
  CHECK(minerva_normalize_tex("5\\text{ cm}") == "5");  // spaces out, "cm" out, "\text{}" out
  CHECK(minerva_normalize_tex("100,000") == "100000");
  CHECK(minerva_normalize_tex("\\sqrt2") == "\\sqrt{2}");
  CHECK(minerva_normalize_tex("\\frac12 m v^2") == "\\frac{1}{2}mv^2");
  CHECK(minerva_normalize_tex("E = \\frac{1}{2} m v^2") == "\\frac{1}{2}mv^2");  // the text after the last '='
  CHECK(minerva_normalize_tex("$\\boxed{x+1}$") == "x+1");
  CHECK(minerva_normalize_tex("\\textbf{7}") == "7");
}

TEST_CASE("OCW: numeric, equation and expression answers compared as eval_ocwcourses does") {
  const GradePolicy standard;
  const GradePolicy deepseek = deepseek_policy();
  // numeric gold: units stripped, numpy.isclose (rtol 1e-5, atol 1e-8)
  CHECK(ocw_equal("1.6", "1.6").correct);
  CHECK(ocw_equal("$1.6$", "1.6").correct);
  CHECK(ocw_equal("1.6 cm", "1.6").correct);
  CHECK(ocw_equal("4.50003e33", "4.5e33").correct);  // 3e28 <= 1e-5 * 4.5e33
  CHECK_FALSE(ocw_equal("4.6e33", "4.5e33").correct);
  CHECK_FALSE(ocw_equal("1.6001", "1.6").correct);   // 1e-4 > 1.6e-5
  CHECK(ocw_equal("\\frac{8}{5}", "1.6").correct);    // evaluated
  CHECK_FALSE(ocw_equal("[invalid]", "1.6").correct);
  // within 1e-8 of zero: the 1% rule instead
  CHECK(ocw_equal("1.005e-9", "1e-9").correct);      // 5e-12 < 1% of the mean 1.0025e-9
  CHECK_FALSE(ocw_equal("1.05e-9", "1e-9").correct); // 5e-11 is not
  // DeepSeek's 1% rule divides by the signed mean: equal negative values and 0 vs 0 fail there
  CHECK_FALSE(ocw_equal("-5", "-5", deepseek).correct);
  CHECK_FALSE(ocw_equal("0", "0", deepseek).correct);
  CHECK(ocw_equal("-5", "-5", standard).correct);
  CHECK(ocw_equal("0", "0", standard).correct);
  CHECK(ocw_equal("-1.0000001e-9", "-1e-9", standard).correct);
  // equation gold: one equation each, sides compared
  CHECK(ocw_equal("E = m c^{2}", "E=mc^2").correct);
  CHECK_FALSE(ocw_equal("mc^2", "E=mc^2").correct);
  CHECK_FALSE(ocw_equal("E=2mc^2", "E=mc^2").correct);
  // expression gold: the same string after normalize_tex, nothing more (is_tex_equiv returns there)
  CHECK(ocw_equal("\\frac12 m v^2", "\\frac{1}{2} m v^2").correct);
  CHECK(ocw_equal("$\\boxed{\\frac{1}{2} m v^2}$", "\\frac{1}{2} m v^2").correct);
  CHECK_FALSE(ocw_equal("\\frac{m v^2}{2}", "\\frac{1}{2} m v^2").correct);
  // through grade_answer with the ocw style
  CHECK(grade_answer("1.6", "1.6", AnswerStyle::ocw).rule == "numeric");
}
