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
//     (absolute 1e-12), and expressions with variables are compared at random points.
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
  int random_points = 6;  // evaluation points for expressions with variables
};

struct GradeResult {
  bool correct = false;
  // The rule that decided: "exact", "numeric", "literal", "symbolic", "text", "tuple",
  // "unordered", "matrix", "equation", "no answer", or "mismatch".
  std::string rule;
};

// Whether `predicted` and `gold` (raw answer strings, LaTeX allowed) denote the same answer.
GradeResult math_equal(std::string_view predicted, std::string_view gold, const GradePolicy& policy = {});

// How many answers `gold` lists ("2, 3" and "\pm 3" list 2; a tuple or a number is 1).
size_t answer_list_length(std::string_view gold);

// The policy above as one paragraph, written into summaries so a number always travels with
// the rule that produced it.
extern const char* const kGradingPolicy;

}  // namespace dsmath::eval
