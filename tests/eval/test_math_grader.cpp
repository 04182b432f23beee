// The math-equivalence grader on hand-written cases: every normalization and comparison rule
// of math_grader.hpp, each in both directions (pairs that must grade equal and near misses
// that must not). Expected verdicts were decided by hand from the mathematics, not by
// running the grader.
#include <catch2/catch.hpp>

#include "core/rng.hpp"
#include "eval/answer_extraction.hpp"
#include "eval/answer_normalize.hpp"
#include "eval/math_expression.hpp"
#include "data/jsonl.hpp"
#include "eval/math_grader.hpp"
#include "test_util.hpp"

using namespace dsmath::eval;

namespace {

struct Case {
  const char* predicted;
  const char* gold;
};

void check_all(const std::vector<Case>& cases, bool expected) {
  for (const auto& c : cases) {
    const GradeResult r = math_equal(c.predicted, c.gold);
    INFO("predicted: " << c.predicted << "\ngold:      " << c.gold << "\nrule: " << r.rule);
    CHECK(r.correct == expected);
    // equivalence is symmetric
    CHECK(math_equal(c.gold, c.predicted).correct == expected);
  }
}

}  // namespace

TEST_CASE("normalize_answer: LaTeX spellings of one answer become one string") {
  CHECK(normalize_answer("$\\dfrac{1}{2}$") == "\\frac{1}{2}");
  CHECK(normalize_answer("\\tfrac12") == "\\frac{1}{2}");
  CHECK(normalize_answer("\\frac1{x}") == "\\frac{1}{x}");
  CHECK(normalize_answer("\\left( 3, \\frac{\\pi}{2} \\right)") == "(3,\\frac{\\pi}{2})");
  CHECK(normalize_answer("5\\text{ cm}^2") == "5");
  CHECK(normalize_answer("\\text{Devon}") == "Devon");
  CHECK(normalize_answer("30^\\circ") == "30");
  CHECK(normalize_answer("30^{\\circ}") == "30");
  CHECK(normalize_answer("\\$1{,}000.") == "1000");
  CHECK(normalize_answer("10\\,000") == "10000");
  CHECK(normalize_answer("50\\%") == "50%");
  CHECK(normalize_answer("\\sqrt2") == "\\sqrt{2}");
  CHECK(normalize_answer("\\pi r^2") == "\\pi r^2");
  CHECK(normalize_answer("x \\in [-2,7]") == "[-2,7]");
  CHECK(normalize_answer("2 \\text{ and } 3") == "2,3");
  CHECK(normalize_answer("12 square units") == "12");
  CHECK(normalize_answer("3 cm^2") == "3");
  CHECK(normalize_answer("3 ab") == "3ab");  // a product, not a unit
  CHECK(normalize_answer("\\!\\!-3") == "-3");
  CHECK(normalize_answer("x_{1}") == "x_1");
}

TEST_CASE("math_expression: evaluation of the supported grammar") {
  auto value = [](const char* text) {
    auto e = MathExpression::parse(normalize_answer(text));
    REQUIRE(e);
    REQUIRE(e->variables().empty());
    return e->evaluate({}).real();
  };
  CHECK(value("\\frac{1}{2}") == Approx(0.5));
  CHECK(value("2^10") == Approx(1024));
  CHECK(value("2^{3^2}") == Approx(512));
  CHECK(value("-3^2") == Approx(-9));
  CHECK(value("\\sqrt[3]{-8}") == Approx(-2));
  CHECK(value("3\\sqrt{2}") == Approx(3 * std::sqrt(2.0)));
  CHECK(value("15\\frac{39}{40}") == Approx(639.0 / 40));
  CHECK(value("\\binom{5}{2}") == Approx(10));
  CHECK(value("5!") == Approx(120));
  CHECK(value("|-4|") == Approx(4));
  CHECK(value("\\log_2 8") == Approx(3));
  CHECK(value("\\sin^2 1 + \\cos^2 1") == Approx(1));
  CHECK(value("2\\pi/3") == Approx(2 * M_PI / 3));
  CHECK(value("e^{i\\pi}") == Approx(-1));
  CHECK(value("\\lfloor 2.7 \\rfloor") == Approx(2));
  CHECK(value("sqrt(16)") == Approx(4));
  // outside the grammar: refused, not guessed
  CHECK_FALSE(MathExpression::parse("2 3"));
  CHECK_FALSE(MathExpression::parse("\\foo{2}"));
  CHECK_FALSE(MathExpression::parse("664_7"));
  CHECK_FALSE(MathExpression::parse("odd"));
  CHECK_FALSE(MathExpression::parse("(1"));
}

TEST_CASE("grader: LaTeX normalization rules, equal") {
  check_all({
                {"\\frac{1}{2}", "\\dfrac{1}{2}"},
                {"\\tfrac{3}{4}", "\\frac34"},
                {"\\frac12", "\\frac{1}{2}"},
                {"\\left(1,2\\right)", "(1,2)"},
                {"5\\text{ cm}", "5"},
                {"10 \\text{ inches}", "10"},
                {"45^\\circ", "45"},
                {"45^{\\circ}", "45"},
                {"50\\%", "50"},
                {"28 percent", "28\\%"},
                {"\\frac{1}{3} \\textbf{meters}", "1/3"},
                {"1{,}000", "1000"},
                {"1,000", "1000"},
                {"\\$12,500", "12500"},
                {"12,000,023", "12000023"},
                {"14 {, }916", "14916"},
                {"\\$16386.17", "16386.17"},
                {"\\! 7", "7"},
                {"7.", "7"},
                {"  x + 1 ", "x+1"},
                {"$\\boxed{6}$", "6"},
                {"\\text{(C)}", "C"},
                {"(C)", "C"},
                {"\\textbf{(B)}", "B"},
                {"\\text{Devon}", "Devon"},
                {"\\text{odd}", "odd"},
            },
            true);
}

TEST_CASE("grader: numbers, fractions and decimals") {
  check_all({
                {"0.5", "\\frac{1}{2}"},
                {"1/2", "\\frac{1}{2}"},
                {"18.00", "18"},
                {"-0", "0"},
                {".5", "0.5"},
                {"\\frac{6}{8}", "\\frac34"},
                {"2\\sqrt{2}", "\\sqrt{8}"},
                {"\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}"},
                {"\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt2}{2}"},
                {"1\\frac{12}{13}", "\\frac{25}{13}"},
                {"10^6", "1000000"},
                {"0.3333333", "\\frac13"},
                {"25\\%", "0.25"},
                {"3\\pi", "3 \\pi"},
                {"e^{i\\pi}", "-1"},
                {"2i+1", "1+2i"},
                {"\\sqrt{-4}", "2i"},
                {"\\approx 3.14", "3.14"},
                {"x \\approx 2.5", "2.5"},
                {"4e3", "4000"},
                {"1.5E-3", "0.0015"},
                {"4 \\times 10^3", "4000"},
                {"\\tan^{-1} 2", "\\arctan 2"},
                {"2^{100}", "1267650600228229401496703205376"},
            },
            true);
  check_all({
                {"12", "1.2"},
                {"1.2", "0.12"},
                {"0.333", "\\frac13"},
                {"3.14", "\\pi"},
                {"123456789", "123456788"},
                {"\\frac{1}{2}", "\\frac{1}{3}"},
                {"2\\sqrt{2}", "\\sqrt{2}"},
                {"-5", "5"},
                {"0.0001", "0.0002"},
                {"25", "0.25"},
                {"1+2i", "1-2i"},
                {"10", "100"},
                {"2\\frac{1}{2}", "1"},
                {"4e3", "400"},
                {"\\tan^{-1} 2", "\\frac{1}{\\tan 2}"},
                {"1, 0", "1,000"},
                {"3^{2005}", "2^{2005}"},  // both overflow a double: not a reason to be equal
                {"\\frac{2}{2004!}", "\\frac{1}{2004!}"},
            },
            false);
}

TEST_CASE("grader: tuples and intervals, bracket type matters") {
  check_all({
                {"(1, 2)", "(1,2)"},
                {"\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})"},
                {"(0.5, -1)", "\\left(\\frac12,-1\\right)"},
                {"[2,5)", "[2, 5)"},
                {"(-\\infty, 3]", "(-\\infty,3]"},
                {"(2, +\\infty)", "(2,\\infty)"},
                {"(-\\infty,3)\\cup(3,\\infty)", "(3,\\infty)\\cup(-\\infty,3)"},
                {"x \\in [-2,7]", "[-2,7]"},
                {"\\mathbb{R}", "(-\\infty,\\infty)"},
                {"x > 3", "(3,\\infty)"},
                {"x \\le -2", "(-\\infty,-2]"},
                {"-1 < x \\le 4", "(-1,4]"},
                {"\\langle 1, 2 \\rangle", "\\langle 1,2\\rangle"},
            },
            true);
  check_all({
                {"(1,2)", "[1,2]"},
                {"(1,2)", "(1,2]"},
                {"[2,5)", "[2,5]"},
                {"(1,2)", "(2,1)"},
                {"(1,2)", "(1,2,3)"},
                {"(1,2)", "1,2"},
                {"(-\\infty,3)", "(-\\infty,3]"},
                {"(-\\infty,3)", "(\\infty,3)"},
                {"x+\\infty", "x\\infty"},
                {"x > 3", "[3,\\infty)"},
                {"(3,\\infty)", "(3,\\infty)\\cup(-\\infty,1)"},
            },
            false);
}

TEST_CASE("grader: unordered answer lists and sets") {
  check_all({
                {"1, 2, 3", "3,2,1"},
                {"-2, 1", "1,-2"},
                {"\\{1,2\\}", "\\{2,1\\}"},
                {"\\{1, 2\\}", "2, 1"},
                {"2 \\text{ and } 3", "3,2"},
                {"x=1 \\text{ or } x=2", "1,2"},
                {"\\pm 3", "3,-3"},
                {"1 \\pm \\sqrt{2}", "1+\\sqrt2, 1-\\sqrt2"},
                {"(1,2), (3,4)", "(3,4),(1,2)"},
                {"70,110", "70, 110"},
            },
            true);
  check_all({
                {"1, 2", "1,2,3"},
                {"1, 2, 2", "1,2,3"},
                {"1, 2", "1"},
                {"\\pm 3", "3"},
                {"(1,2), (3,4)", "(1,2),(4,3)"},
                {"\\{1,2\\}", "(1,2)"},
            },
            false);
}

TEST_CASE("grader: equations and answers given as 'x = value'") {
  check_all({
                {"x=5", "5"},
                {"k = \\frac{1}{2}", "0.5"},
                {"y = 2x + 3", "y=2x+3"},
                {"y = 2x + 3", "2x+3"},
                {"y = 3 + 2x", "y=2x+3"},
                {"2x - y + 3 = 0", "y = 2x + 3"},
                {"2x + 4y = 6", "x + 2y = 3"},
                {"f(x) = x^2", "x^2"},
                {"(x, y) = (1, 2)", "(1,2)"},
                {"a_1 = 4", "4"},
                {"\\theta = \\frac{\\pi}{4}", "\\frac{\\pi}{4}"},
            },
            true);
  check_all({
                {"x=5", "6"},
                {"x = 5", "y = 5"},
                {"y = 2x + 3", "y = 2x - 3"},
                {"x^2 = 4", "x = 2"},
                {"2x+3 = 5", "5"},
                {"y = 2x + 3", "2x"},
            },
            false);
}

TEST_CASE("grader: matrices") {
  check_all({
                {"\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"},
                {"\\begin{bmatrix} \\frac12 \\\\ -1 \\end{bmatrix}", "\\begin{pmatrix} 0.5 \\\\ -1 \\end{pmatrix}"},
                {"\\begin{pmatrix} x & 0 \\\\ 0 & 2x \\end{pmatrix}", "\\begin{pmatrix} x & 0 \\\\ 0 & x+x \\end{pmatrix}"},
                // a vector written as a tuple
                {"(1, -2)", "\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}"},
                {"\\langle 3, \\frac12 \\rangle", "\\begin{pmatrix}3 & 0.5\\end{pmatrix}"},
            },
            true);
  check_all({
                {"\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}"},
                {"\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 1 & 2 \\end{pmatrix}"},
                {"\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\\\ 3 \\end{pmatrix}"},
                {"[1, 2]", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"},  // an interval is not a vector
                {"(2, 1)", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"},
                {"(1, 2)", "\\begin{pmatrix} 1 & 0 \\\\ 2 & 0 \\end{pmatrix}"},
            },
            false);
}

TEST_CASE("grader: symbolic equivalence by evaluation at random points") {
  check_all({
                {"x^2+2x+1", "(x+1)^2"},
                {"(x+1)(x-1)", "x^2-1"},
                {"\\frac{x^2-1}{x-1}", "x+1"},
                {"2(a+b)", "2a+2b"},
                {"\\frac{\\sqrt{3}}{3}x", "\\frac{x}{\\sqrt3}"},
                {"\\sin^2 x + \\cos^2 x", "1"},
                {"\\sin 2x", "2\\sin x\\cos x"},
                {"e^{2\\ln x}", "x^2"},
                {"\\pi r^2", "r^2\\pi"},
                {"12x -34", "-34 + 12x"},
                {"x+11", "11+x"},
                {"a_1 + a_2", "a_2 + a_1"},
                {"\\frac{n(n+1)}{2}", "\\binom{n+1}{2}"},
            },
            true);
  check_all({
                {"x+1", "x-1"},
                {"x^2", "x^3"},
                {"2x", "2y"},
                {"x", "|x|"},
                {"\\sin x", "\\cos x"},
                {"2x", "4"},
                {"xy", "x"},
                {"\\frac{1}{x}", "x"},
                {"\\text{odd}", "\\text{dod}"},
                {"\\text{odd}", "\\text{even}"},
            },
            false);
}

TEST_CASE("grader: no answer is never correct") {
  CHECK_FALSE(math_equal("", "5").correct);
  CHECK(math_equal("", "5").rule == "no answer");
  CHECK_FALSE(math_equal("   ", "0").correct);
}

TEST_CASE("grader: agrees with SymPy on 400 generated expression pairs (golden file)") {
  // tests/eval/golden/make_symbolic_pairs.py: sympy.latex() renderings of random expressions,
  // paired with SymPy rewrites (equal) or perturbations (unequal), labelled by SymPy.
  const auto path = dsmath::test::source_dir() / "tests/eval/golden/symbolic_pairs.jsonl";
  dsmath::LineReader reader(path);
  size_t total = 0, agree = 0;
  std::string disagreements;
  for (std::string line; reader.next(line);) {
    const auto row = dsmath::parse_json_object(line, reader.where());
    const std::string a = row["a"].get<std::string>(), b = row["b"].get<std::string>();
    const bool expected = row["equal"].get<bool>();
    const GradeResult r = math_equal(a, b);
    ++total;
    if (r.correct == expected) ++agree;
    else disagreements += "\n  " + a + "  vs  " + b + "  sympy: " + (expected ? "equal" : "unequal") + ", rule " + r.rule;
  }
  INFO(agree << "/" << total << " agree" << disagreements);
  CHECK(total == 400);
  CHECK(agree == total);
}

TEST_CASE("grader: random LaTeX-like input never throws, crashes or hangs") {
  // Bad input must never crash the grader (a model can write anything): token soup from the
  // grammar's own pieces, unbalanced on purpose.
  static const std::vector<std::string> tokens{
      "\\frac", "{", "}", "(", ")", "[", "]", "\\{", "\\}", "\\left(", "\\right)", "\\sqrt", "^", "_", "x", "y",
      "2", "10", ".", ",", "=", "<", "\\le", "\\pm", "\\cup", "\\infty", "-", "+", "*", "/", "|", "!", "\\pi",
      "e", "i", "\\text{", "cm", " ", "\\boxed{", "$", "%", "\\begin{pmatrix}", "\\end{pmatrix}", "&", "\\\\",
      "\\sin", "\\log_", "0", "1,000", "\\dfrac12", "^{\\circ}", "and", "\\approx", "\\tan^{-1}", "9e9", "\\binom"};
  dsmath::Rng rng(7);
  auto soup = [&] {
    std::string s;
    const size_t n = 1 + rng.below(14);
    for (size_t i = 0; i < n; ++i) s += tokens[rng.below(tokens.size())];
    return s;
  };
  size_t graded = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string a = soup(), b = rng.below(3) == 0 ? a : soup();
    INFO(a << "  vs  " << b);
    GradeResult r;
    REQUIRE_NOTHROW(r = math_equal(a, b));
    REQUIRE_NOTHROW(extract_answer(a + " The answer is " + b, AnswerStyle::gsm8k));
    REQUIRE_NOTHROW(extract_answer("\\boxed{" + a, AnswerStyle::math));
    if (a == b && !normalize_answer(a).empty()) CHECK(r.correct);  // reflexive
    ++graded;
  }
  CHECK(graded == 20000);
}
