#pragma once
// Math-equivalence grading of a final answer against the gold answer (DeepSeekMath section
// 5.1 evaluates MATH/GSM8K by final-answer equivalence). The policy, in the order it is
// applied (kGradingPolicy holds the same text for summaries; docs/eval.md explains it):
//
//  1. Both answers are normalized (answer_normalize.hpp); equal strings are equal.
//  2. Each is read as a structure: matrix (pmatrix/bmatrix/array), union of sets (\cup),
//     "a \pm b" (the two values), an ordered tuple or interval "(a,b]" whose bracket types
//     must match exactly, a set "\{a,b\}" or a bare list "a, b" (unordered, matched one to
//     one), an inequality on one variable (read as the interval it describes), an equation
//     "lhs = rhs", or a scalar expression (a trailing % is remembered).
//  3. Scalars: two plain decimal literals must be equal as decimals ("12" != "1.2",
//     "18.00" == "18"); otherwise both are evaluated, with a relative tolerance of 1e-6
//     (absolute 1e-12), and expressions with variables are compared at random points. A
//     decimal literal against an expression gets that tolerance only when it shows the 7
//     significant digits the tolerance resolves ("0.3333333" is 1/3); a shorter one must be
//     exact ("0.125" is \frac{1}{8}, "98.9949" is not 70\sqrt{2}).
//     "25%" equals 25 and 0.25. Words (letter runs) compare as text, case-insensitively.
//  4. An equation whose left side is a lone variable ("x = 5", "f(x) = ...") equals its right
//     side; two equations are equal when their sides are, or when lhs - rhs of one is a
//     nonzero constant multiple of the other's.
//  5. "1,000" may be a number or a list of two; both readings are tried.
#include <cstddef>
#include <string>
#include <string_view>

namespace dsmath::eval {

struct GradePolicy {
  double relative_tolerance = 1e-6;
  double absolute_tolerance = 1e-12;
  // A decimal literal compared with an expression ("98.9949" with "70\sqrt{2}") stands for
  // it within relative_tolerance only when it shows as many significant digits as that
  // tolerance resolves (7 for 1e-6): then it is the value printed to precision. A shorter
  // decimal that falls inside the tolerance does so by luck of rounding (98.9949 is 70\sqrt{2}
  // to 6 digits, 5e-7 off), so it must agree to this rounding error of double evaluation:
  // "0.125" equals \frac{1}{8}, "1.414" is not \sqrt{2}.
  double decimal_tolerance = 1e-9;
  int random_points = 6;  // evaluation points for expressions with variables
  // grading.policy deepseek: DeepSeek-Math's own rules (eval_utils.math_equal, see
  // deepseek_policy()); false is the stricter default above.
  bool deepseek = false;
};

struct GradeResult {
  bool correct = false;
  // The rule that decided: "exact", "numeric", "literal", "symbolic", "text", "tuple",
  // "unordered", "matrix", "equation", "no answer", or "mismatch".
  std::string rule;
};

// Whether `predicted` and `gold` (raw answer strings, LaTeX allowed) denote the same answer.
GradeResult math_equal(std::string_view predicted, std::string_view gold, const GradePolicy& policy = {});

// DeepSeek-Math's comparison (evaluation/eval/eval_utils.py math_equal and eval_script.py
// is_correct), expressed in this grader: numbers and evaluated expressions equal within an
// absolute 1e-3 (so "1.414" is \sqrt{2}; plain decimals too: "12.0004" is 12); two numbers
// also when the prediction is the gold x100 or /100 ("25" for a gold 0.25); tuples and
// intervals compared item by item whatever their brackets ("[1,2)" is "(1,2]").
GradePolicy deepseek_policy();

// How many answers `gold` lists ("2, 3" and "\pm 3" list 2; a tuple or a number is 1).
size_t answer_list_length(std::string_view gold);

// The policy above as one paragraph, written into summaries so a number always travels with
// the rule that produced it.
extern const char* const kGradingPolicy;
extern const char* const kDeepseekGradingPolicy;
// kGradingPolicy or kDeepseekGradingPolicy; "default" or "deepseek".
const char* grading_policy_text(const GradePolicy& policy);
const char* grading_policy_name(const GradePolicy& policy);

}  // namespace dsmath::eval
