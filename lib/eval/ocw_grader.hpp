#pragma once
// OCW Courses answers compared the way DeepSeek-Math's eval_ocwcourses compares them (its
// evaluation/eval/eval_script.py and ocwcourses_eval_utils.py, after Lewkowycz et al. 2022,
// "Minerva", appendix D), not with math_equal(): the paper's OCW numbers come from this rule.
// The gold decides the comparison:
//
//  * numeric (the gold reads as a decimal, "1.6", "4.5e33"): both sides lose the listed unit
//    spellings ("eV", "kg", "m/s", "\mathrm{~cm}", ...) and '$', are evaluated, and are equal
//    when within numpy.isclose (|a - b| <= 1e-8 + 1e-5 |b|); when either value or their
//    difference is within 1e-8 of 0 they must instead differ by less than 1% of their mean.
//    DeepSeek evaluates with Python eval() and then sympy's parse_latex; we evaluate with
//    MathExpression, which reads both plain arithmetic and LaTeX. One deliberate difference:
//    Python eval reads "10^3" as bitwise XOR (9), we read it as a power. DeepSeek's 1% rule
//    divides by the signed mean (a + b) / 2, so equal negative values (and 0 against 0) are
//    unequal there: grading.policy deepseek keeps that, the default policy takes equal
//    values as equal and uses the mean of the magnitudes.
//  * equation (the gold holds '='): both must be one equation; DeepSeek compares the two
//    sympy Equality objects structurally, we compare the sides after normalize_answer(), as
//    text or, failing that, by evaluation at points (so "E=mc^{2}" equals "E = m c^2").
//  * expression (anything else): both are normalized by Minerva's normalize_tex (the
//    substitutions, the removed unit words, the $...$, \text, \textbf, \overline and \boxed
//    unwrapping, \fracab and \sqrta shorthand) and must then be the same string: DeepSeek's
//    is_tex_equiv returns after the string comparison, its sympy branch is never reached.
#include <optional>
#include <string>
#include <string_view>

#include "eval/math_grader.hpp"

namespace dsmath::eval {

// Minerva's normalize_tex (Lewkowycz et al. 2022, appendix D) on one answer.
std::string minerva_normalize_tex(std::string_view answer);

// The value of an OCW numeric answer after unit stripping, or nullopt (DeepSeek's
// normalize_numeric returning "[invalidanswer]").
std::optional<double> ocw_numeric_value(std::string_view answer);

// numpy.isclose with DeepSeek's 1% rule near zero (numeric_equality, threshold 0.01);
// `as_deepseek` keeps its signed mean (see above).
bool ocw_numeric_equal(double a, double b, bool as_deepseek);

GradeResult ocw_equal(std::string_view predicted, std::string_view gold, const GradePolicy& policy = {});

}  // namespace dsmath::eval
