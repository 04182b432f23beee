#pragma once
// A small parser and evaluator for the scalar expressions that appear as final answers:
// numbers, + - * / ^, implicit multiplication ("2x", "3\sqrt{2}", "(x+1)(x-1)"), \frac, \sqrt
// and \sqrt[n], \binom, \pi, e, i, \infty, |x|, \lfloor/\lceil, n!, trigonometric and
// logarithmic functions, variables (letters, Greek commands, subscripts). Symbolic
// equivalence of two answers is decided by evaluating both at random points
// (math_grader.cpp): a Schwartz-Zippel style test that needs no computer algebra system.
//
// Input is expected in the canonical spelling of normalize_answer(). Anything outside this
// grammar makes parse() return nullopt, and the grader falls back to text comparison: an
// unknown token is never skipped, so two different answers cannot both parse to the same
// degenerate expression.
#include <complex>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dsmath::eval {

using Complex = std::complex<double>;

class MathExpression {
 public:
  static std::optional<MathExpression> parse(std::string_view normalized);

  // Variable names in order of first appearance ("x", "a_1", "\theta").
  const std::vector<std::string>& variables() const { return variables_; }
  // Value at `values` (one per variables() entry). Complex arithmetic, principal branches;
  // NaN where undefined. `out_of_range` (optional) is set when a step left the range where
  // doubles tell values apart: overflow (3^{2005} and 2^{2005} are both inf), underflow
  // (1/2004! is 0), or division by zero; such a value proves nothing about equality.
  Complex evaluate(std::span<const Complex> values, bool* out_of_range = nullptr) const;
  // The decimal literal the expression consists of, sign included ("-12.50"), when it is
  // nothing more than that; such answers are compared exactly, not with a tolerance.
  std::optional<std::string> literal() const;

 private:
  friend class ExpressionParser;
  enum class Op : uint8_t {
    number, variable, pi, euler, imaginary, infinity,
    add, sub, mul, div, pow, neg, factorial, abs, floor, ceil,
    sqrt, root, binom, log_base, function
  };
  enum class Function : uint8_t { sin, cos, tan, sec, csc, cot, asin, acos, atan, sinh, cosh, tanh, ln, exp };
  struct Node {
    Op op = Op::number;
    Function function = Function::sin;
    double number = 0;
    int32_t a = -1, b = -1;  // operands (node indices); variable index for Op::variable
  };
  Complex eval_node(int32_t index, std::span<const Complex> values, bool& out_of_range) const;
  Complex apply(const Node& node, Complex a, Complex b, std::span<const Complex> values) const;

  std::vector<Node> nodes_;
  int32_t root_ = -1;
  std::vector<std::string> variables_;
  std::vector<std::string> literals_;  // source text of number nodes (Node::b indexes it)
};

}  // namespace dsmath::eval
