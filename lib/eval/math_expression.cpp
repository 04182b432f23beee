#include "eval/math_expression.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace dsmath::eval {

namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct ParseFailure {};

constexpr std::array<std::string_view, 38> kGreek{
    "alpha", "beta",  "gamma",   "delta",  "epsilon", "varepsilon", "zeta",   "eta",    "theta", "vartheta",
    "iota",  "kappa", "lambda",  "mu",     "nu",      "xi",         "omicron", "rho",   "varrho", "sigma",
    "tau",   "upsilon", "phi",   "varphi", "chi",     "psi",        "omega",  "Gamma",  "Delta", "Theta",
    "Lambda", "Xi",   "Sigma",   "Upsilon", "Phi",    "Psi",        "Omega",  "ell"};

bool is_greek(std::string_view name) {
  for (auto g : kGreek)
    if (g == name) return true;
  return false;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

// Recursive descent over the canonical answer text. Precedence, loosest first: + -, then
// * / \cdot \times \div and implicit multiplication, then unary minus, then ^ (right
// associative), then postfix !. A function without parentheses takes the implicit product
// that follows it ("\sin 2x" = sin(2x)), stopping at the next function ("\sin x\cos x").
class ExpressionParser {
 public:
  using Op = MathExpression::Op;
  using Function = MathExpression::Function;

  ExpressionParser(std::string_view text, MathExpression& out) : s_(text), out_(out) {}

  int32_t parse_all() {
    int32_t root = parse_sum();
    if (pos_ != s_.size()) throw ParseFailure{};
    return root;
  }

 private:
  char peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  bool at_end() const { return pos_ >= s_.size(); }
  void skip_spaces() {
    while (peek() == ' ') ++pos_;
  }
  void expect(char c) {
    skip_spaces();
    if (peek() != c) throw ParseFailure{};
    ++pos_;
  }
  // The command name at pos_ ("frac" for "\frac"), without consuming it; "" if none.
  std::string_view command_here() const {
    if (peek() != '\\' || !is_letter(peek(1))) return {};
    size_t j = pos_ + 1;
    while (j < s_.size() && is_letter(s_[j])) ++j;
    return s_.substr(pos_ + 1, j - pos_ - 1);
  }
  bool accept_command(std::string_view name) {
    skip_spaces();
    if (command_here() != name) return false;
    pos_ += name.size() + 1;
    return true;
  }

  int32_t add(MathExpression::Node node) {
    out_.nodes_.push_back(node);
    if (out_.nodes_.size() > 4096) throw ParseFailure{};  // answers are short; refuse pathological input
    return static_cast<int32_t>(out_.nodes_.size() - 1);
  }
  int32_t binary(Op op, int32_t a, int32_t b) { return add({op, Function::sin, 0, a, b}); }
  int32_t unary(Op op, int32_t a) { return add({op, Function::sin, 0, a, -1}); }
  int32_t leaf(Op op) { return add({op, Function::sin, 0, -1, -1}); }
  int32_t number(double v, std::string literal) {
    out_.literals_.push_back(std::move(literal));
    return add({Op::number, Function::sin, v, -1, static_cast<int32_t>(out_.literals_.size() - 1)});
  }
  int32_t variable(const std::string& name) {
    for (size_t i = 0; i < out_.variables_.size(); ++i)
      if (out_.variables_[i] == name) return add({Op::variable, Function::sin, 0, static_cast<int32_t>(i), -1});
    out_.variables_.push_back(name);
    return add({Op::variable, Function::sin, 0, static_cast<int32_t>(out_.variables_.size() - 1), -1});
  }

  int32_t parse_sum() {
    if (++depth_ > 200) throw ParseFailure{};
    int32_t left = parse_product();
    while (true) {
      skip_spaces();
      if (peek() == '+') {
        ++pos_;
        left = binary(Op::add, left, parse_product());
      } else if (peek() == '-') {
        ++pos_;
        left = binary(Op::sub, left, parse_product());
      } else {
        break;
      }
    }
    --depth_;
    return left;
  }

  int32_t parse_product() {
    int32_t left = parse_signed();
    while (true) {
      skip_spaces();
      if (peek() == '*' && peek(1) != '*') {
        ++pos_;
        left = binary(Op::mul, left, parse_signed());
      } else if (peek() == '/') {
        ++pos_;
        left = binary(Op::div, left, parse_signed());
      } else if (accept_command("cdot") || accept_command("times") || accept_command("ast")) {
        left = binary(Op::mul, left, parse_signed());
      } else if (accept_command("div")) {
        left = binary(Op::div, left, parse_signed());
      } else if (starts_implicit_factor()) {
        left = binary(Op::mul, left, parse_power());
      } else {
        break;
      }
    }
    return left;
  }

  int32_t parse_signed() {
    skip_spaces();
    if (peek() == '-') {
      ++pos_;
      return unary(Op::neg, parse_signed());
    }
    if (peek() == '+') {
      ++pos_;
      return parse_signed();
    }
    return parse_power();
  }

  // Whether the text at pos_ begins a factor that multiplies the one before it. A digit
  // does not ("2 3" is not 6), nor does a closing or binary symbol.
  bool starts_implicit_factor() {
    skip_spaces();
    const char c = peek();
    if (is_letter(c) || c == '(') return true;
    if (c == '|') return abs_depth_ == 0;
    if (c == '{') return true;
    const std::string_view cmd = command_here();
    if (cmd.empty()) return false;
    return is_value_command(cmd) || function_of(cmd).has_value() || cmd == "log";
  }

  static bool is_value_command(std::string_view cmd) {
    return cmd == "frac" || cmd == "sqrt" || cmd == "binom" || cmd == "pi" || cmd == "infty" ||
           cmd == "lfloor" || cmd == "lceil" || cmd == "exp" || is_greek(cmd);
  }

  static std::optional<Function> function_of(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, Function>, 15> table{{
        {"sin", Function::sin},   {"cos", Function::cos},       {"tan", Function::tan},
        {"sec", Function::sec},   {"csc", Function::csc},       {"cot", Function::cot},
        {"arcsin", Function::asin}, {"arccos", Function::acos}, {"arctan", Function::atan},
        {"sinh", Function::sinh}, {"cosh", Function::cosh},     {"tanh", Function::tanh},
        {"ln", Function::ln},     {"exp", Function::exp},       {"cosec", Function::csc},
    }};
    for (const auto& [n, f] : table)
      if (n == name) return f;
    return std::nullopt;
  }

  int32_t parse_power() {
    int32_t base = parse_postfix();
    skip_spaces();
    if (peek() == '^' || (peek() == '*' && peek(1) == '*')) {
      pos_ += peek() == '^' ? 1 : 2;
      return binary(Op::pow, base, parse_exponent());
    }
    return base;
  }

  // After '^': a braced group, a run of digits (plain-text "2^10" means 2^10), a signed
  // exponent ("x^-1"), or one primary.
  int32_t parse_exponent() {
    skip_spaces();
    const char c = peek();
    if (c == '{') {
      ++pos_;
      int32_t e = parse_sum();
      expect('}');
      return e;
    }
    if (is_digit(c)) return parse_number();
    if (c == '-') {
      ++pos_;
      return unary(Op::neg, parse_exponent());
    }
    if (c == '+') {
      ++pos_;
      return parse_exponent();
    }
    int32_t p = parse_postfix();
    skip_spaces();
    if (peek() == '^') {  // right associative: 2^x^2 = 2^(x^2)
      ++pos_;
      return binary(Op::pow, p, parse_exponent());
    }
    return p;
  }

  int32_t parse_postfix() {
    int32_t p = parse_primary();
    while (peek() == '!') {
      ++pos_;
      p = unary(Op::factorial, p);
    }
    return p;
  }

  int32_t parse_number() {
    const size_t start = pos_;
    while (is_digit(peek())) ++pos_;
    if (peek() == '.' && is_digit(peek(1))) {
      ++pos_;
      while (is_digit(peek())) ++pos_;
    } else if (peek() == '.' && pos_ > start && !is_digit(peek(1)) && peek(1) != '.') {
      ++pos_;  // "5." as a number
    }
    if (pos_ == start && !(peek() == '.' && overline_at(pos_ + 1))) throw ParseFailure{};
    if (peek() == '.' && overline_at(pos_ + 1)) ++pos_;  // ".\overline{3}"
    if (overline_at(pos_) && s_.substr(start, pos_ - start).find('.') != std::string_view::npos)
      return repeating_decimal(start);
    // scientific notation "4e3", "1.5E-3" (never Euler's e: "2e" times 3 is written "2e\cdot 3")
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '-' || peek(1) == '+') && is_digit(peek(2))))) {
      pos_ += is_digit(peek(1)) ? 1 : 2;
      while (is_digit(peek())) ++pos_;
    }
    std::string literal(s_.substr(start, pos_ - start));
    double value = 0;
    auto [end, ec] = std::from_chars(literal.data(), literal.data() + literal.size(), value);
    if (ec == std::errc::result_out_of_range) value = std::numeric_limits<double>::infinity();
    else if (ec != std::errc()) throw ParseFailure{};
    (void)end;
    if (peek() == '_') throw ParseFailure{};  // a numeral in another base ("664_7"): text only
    return number(value, std::move(literal));
  }

  bool overline_at(size_t at) const { return s_.compare(at, 9, "\\overline") == 0; }

  // "0.\overline{3}" (1/3), "2.1\overline{36}": a decimal whose digits under the bar repeat.
  // Its exact value is a fraction, so it is compared as a value, not as a decimal literal
  // (the literal text keeps the "\overline", which literal() refuses).
  int32_t repeating_decimal(size_t start) {
    const std::string written(s_.substr(start, pos_ - start));  // "0." or "2.1"
    pos_ += 9;
    if (peek() != '{') throw ParseFailure{};
    const size_t digits_start = ++pos_;
    while (is_digit(peek())) ++pos_;
    const std::string repeating(s_.substr(digits_start, pos_ - digits_start));
    if (repeating.empty() || repeating.size() > 15 || peek() != '}') throw ParseFailure{};
    ++pos_;
    const size_t point = written.find('.');
    const std::string fixed = written.substr(point + 1);
    if (fixed.size() > 15) throw ParseFailure{};
    // x = whole.fixed(repeating...) = whole + (fixed.repeating - fixed) / (10^|fixed| (10^|repeating| - 1))
    const double whole = point == 0 ? 0.0 : std::stod(written.substr(0, point));
    const double both = std::stod(fixed + repeating), head = fixed.empty() ? 0.0 : std::stod(fixed);
    const double value = whole + (both - head) / (std::pow(10.0, static_cast<double>(fixed.size())) *
                                                  (std::pow(10.0, static_cast<double>(repeating.size())) - 1.0));
    return number(value, written + "\\overline{" + repeating + "}");
  }

  // One-token argument of \frac / \sqrt / subscripts when not braced.
  int32_t parse_argument() {
    skip_spaces();
    if (peek() == '{') {
      ++pos_;
      int32_t e = parse_sum();
      expect('}');
      return e;
    }
    if (is_digit(peek())) {
      const size_t start = pos_++;
      return number(static_cast<double>(s_[start] - '0'), std::string(1, s_[start]));
    }
    return parse_primary();
  }

  std::string parse_subscript() {
    // x_1, a_{n+1}: the subscript is part of the variable's name
    if (peek() != '_') return {};
    ++pos_;
    if (peek() == '{') {
      const size_t start = pos_;
      int level = 0;
      for (; pos_ < s_.size(); ++pos_) {
        if (s_[pos_] == '{') ++level;
        if (s_[pos_] == '}' && --level == 0) break;
      }
      if (pos_ >= s_.size()) throw ParseFailure{};
      ++pos_;
      std::string sub(1, '_');
      sub.append(s_.substr(start, pos_ - start));
      return sub;
    }
    if (is_letter(peek()) || is_digit(peek())) return std::string{'_', s_[pos_++]};
    throw ParseFailure{};
  }

  int32_t parse_function_argument() {
    skip_spaces();
    if (peek() == '(') return parse_postfix();
    if (peek() == '{') return parse_argument();
    // implicit product up to the next function: \sin 2x = sin(2x)
    int32_t arg = parse_power();
    while (true) {
      skip_spaces();
      const std::string_view cmd = command_here();
      if (!cmd.empty() && (function_of(cmd) || cmd == "log")) break;
      if (!starts_implicit_factor() || peek() == '(') break;
      arg = binary(Op::mul, arg, parse_power());
    }
    return arg;
  }

  int32_t apply_function(Function f) {
    skip_spaces();
    // \tan^{-1} x is arctan x, not 1/tan x
    for (std::string_view inverse : {std::string_view("^{-1}"), std::string_view("^-1")}) {
      if (s_.substr(pos_, inverse.size()) != inverse) continue;
      const Function inv = f == Function::sin ? Function::asin : f == Function::cos ? Function::acos : Function::atan;
      if (f != Function::sin && f != Function::cos && f != Function::tan) break;
      pos_ += inverse.size();
      return add({Op::function, inv, 0, parse_function_argument(), -1});
    }
    int32_t power = -1;
    if (peek() == '^') {  // \sin^2 x = (sin x)^2
      ++pos_;
      power = parse_exponent();
    }
    int32_t result = add({Op::function, f, 0, parse_function_argument(), -1});
    return power >= 0 ? binary(Op::pow, result, power) : result;
  }

  int32_t parse_primary() {
    skip_spaces();
    const char c = peek();
    if (is_digit(c) || (c == '.' && (is_digit(peek(1)) || overline_at(pos_ + 1)))) {
      int32_t n = parse_number();
      return maybe_mixed_number(n);
    }
    if (c == '(' || c == '[' || c == '{') {
      const char close = c == '(' ? ')' : (c == '[' ? ']' : '}');
      ++pos_;
      const int saved_abs = abs_depth_;
      abs_depth_ = 0;
      int32_t e = parse_sum();
      abs_depth_ = saved_abs;
      expect(close);
      return e;
    }
    if (c == '|') {
      ++pos_;
      ++abs_depth_;
      int32_t e = parse_sum();
      --abs_depth_;
      expect('|');
      return unary(Op::abs, e);
    }
    if (is_letter(c)) return parse_letters();
    if (c == '\\') return parse_command();
    throw ParseFailure{};
  }

  // "2\frac{1}{3}" is the mixed number 2 1/3 when an integer is followed by a proper fraction
  // of integers (MATH writes "15\frac{39}{40}" for 639/40).
  int32_t maybe_mixed_number(int32_t whole) {
    const auto& node = out_.nodes_[static_cast<size_t>(whole)];
    const std::string& lit = out_.literals_[static_cast<size_t>(node.b)];
    if (lit.find('.') != std::string::npos || command_here() != "frac") return whole;
    const size_t saved = pos_;
    pos_ += 5;
    auto integer_group = [&]() -> std::optional<double> {
      if (peek() != '{') return std::nullopt;
      size_t j = pos_ + 1;
      while (j < s_.size() && is_digit(s_[j])) ++j;
      if (j == pos_ + 1 || j >= s_.size() || s_[j] != '}') return std::nullopt;
      double v = std::stod(std::string(s_.substr(pos_ + 1, j - pos_ - 1)));
      pos_ = j + 1;
      return v;
    };
    auto numerator = integer_group();
    auto denominator = numerator ? integer_group() : std::nullopt;
    if (!numerator || !denominator || *denominator == 0 || *numerator >= *denominator ||
        starts_implicit_factor() || peek() == '^') {
      pos_ = saved;
      return whole;
    }
    const double value = node.number + *numerator / *denominator;
    return number(value, lit + "+" + std::to_string(static_cast<long long>(*numerator)) + "/" +
                             std::to_string(static_cast<long long>(*denominator)));
  }

  int32_t parse_letters() {
    // plain-text function names and pi, as models write them outside LaTeX
    static constexpr std::array<std::string_view, 12> words{"arcsin", "arccos", "arctan", "sqrt", "sinh", "cosh",
                                                            "tanh", "sin", "cos", "tan", "exp", "ln"};
    for (auto w : words) {
      if (s_.compare(pos_, w.size(), w) == 0 && pos_ + w.size() < s_.size() && s_[pos_ + w.size()] == '(') {
        pos_ += w.size();
        if (w == "sqrt") return unary(Op::sqrt, parse_postfix());
        return add({Op::function, *function_of(w), 0, parse_postfix(), -1});
      }
    }
    if (s_.compare(pos_, 3, "log") == 0 && peek(3) == '(') {
      pos_ += 3;
      return add({Op::function, Function::ln, 0, parse_postfix(), -1});
    }
    if (s_.compare(pos_, 2, "pi") == 0 && !is_letter(peek(2))) {
      pos_ += 2;
      return leaf(Op::pi);
    }
    // A run of three or more letters is a word ("odd", "Devon"), not a product of variables:
    // treating it as one would make "odd" equal "dod".
    size_t run = 0;
    while (is_letter(peek(run))) ++run;
    if (run >= 3 && (pos_ == 0 || !is_letter(s_[pos_ - 1]))) throw ParseFailure{};
    const char letter = s_[pos_++];
    std::string name(1, letter);
    const std::string sub = parse_subscript();
    if (sub.empty() && letter == 'e') return leaf(Op::euler);
    if (sub.empty() && letter == 'i') return leaf(Op::imaginary);
    return variable(name + sub);
  }

  int32_t parse_command() {
    const std::string_view cmd = command_here();
    if (cmd.empty()) throw ParseFailure{};
    pos_ += cmd.size() + 1;
    if (cmd == "frac") {
      int32_t num = parse_argument();
      int32_t den = parse_argument();
      return binary(Op::div, num, den);
    }
    if (cmd == "binom") {
      int32_t n = parse_argument();
      int32_t k = parse_argument();
      return binary(Op::binom, n, k);
    }
    if (cmd == "sqrt") {
      skip_spaces();
      if (peek() == '[') {
        ++pos_;
        int32_t index = parse_sum();
        expect(']');
        return binary(Op::root, index, parse_argument());
      }
      return unary(Op::sqrt, parse_argument());
    }
    if (cmd == "pi") return leaf(Op::pi);
    if (cmd == "infty") return leaf(Op::infinity);
    if (cmd == "lfloor" || cmd == "lceil") {
      int32_t e = parse_sum();
      if (!accept_command(cmd == "lfloor" ? "rfloor" : "rceil")) throw ParseFailure{};
      return unary(cmd == "lfloor" ? Op::floor : Op::ceil, e);
    }
    if (cmd == "log") {
      skip_spaces();
      if (peek() == '_') {  // \log_2 8, \log_{10} x
        ++pos_;
        int32_t base = parse_argument();
        return binary(Op::log_base, base, apply_function(Function::ln));
      }
      return apply_function(Function::ln);
    }
    if (auto f = function_of(cmd)) return apply_function(*f);
    if (is_greek(cmd)) {
      std::string name(1, '\\');
      name.append(cmd);
      name += parse_subscript();
      return variable(name);
    }
    throw ParseFailure{};
  }

  std::string_view s_;
  size_t pos_ = 0;
  int abs_depth_ = 0;
  int depth_ = 0;
  MathExpression& out_;
};

std::optional<MathExpression> MathExpression::parse(std::string_view normalized) {
  if (normalized.empty() || normalized.size() > 2000) return std::nullopt;
  MathExpression e;
  try {
    ExpressionParser parser(normalized, e);
    e.root_ = parser.parse_all();
  } catch (const ParseFailure&) {
    return std::nullopt;
  }
  return e;
}

std::optional<std::string> MathExpression::literal() const {
  if (root_ < 0) return std::nullopt;
  const Node* node = &nodes_[static_cast<size_t>(root_)];
  std::string sign;
  if (node->op == Op::neg && nodes_[static_cast<size_t>(node->a)].op == Op::number) {
    sign = "-";
    node = &nodes_[static_cast<size_t>(node->a)];
  }
  if (node->op != Op::number) return std::nullopt;
  const std::string& text = literals_[static_cast<size_t>(node->b)];
  // a mixed number or scientific notation is compared by value, not as a decimal string
  // (nor is a repeating decimal, whose text holds "\overline")
  if (text.find_first_of("+eE\\") != std::string::npos) return std::nullopt;
  return sign + text;
}

namespace {

bool is_real(Complex z) { return z.imag() == 0.0; }

// z^n for integer n by repeated squaring: exact for real integers, unlike exp(n log z).
Complex integer_power(Complex z, long long n) {
  if (n < 0) return Complex(1.0) / integer_power(z, -n);
  Complex result(1.0);
  while (n > 0) {
    if (n & 1) result *= z;
    z *= z;
    n >>= 1;
  }
  return result;
}

Complex power(Complex base, Complex exponent) {
  if (is_real(exponent)) {
    const double e = exponent.real();
    if (std::isfinite(e) && e == std::round(e) && std::abs(e) <= 1024) return integer_power(base, static_cast<long long>(e));
    if (is_real(base) && base.real() >= 0) return std::pow(base.real(), e);
  }
  if (base == Complex(0.0)) return exponent.real() > 0 ? Complex(0.0) : Complex(kNaN, kNaN);
  return std::exp(exponent * std::log(base));
}

Complex factorial(Complex z) {
  if (!is_real(z) || z.real() < 0) return {kNaN, kNaN};
  const double x = z.real();
  if (x == std::round(x) && x <= 170) {
    double r = 1;
    for (int i = 2; i <= static_cast<int>(x); ++i) r *= i;
    return r;
  }
  return std::tgamma(x + 1);
}

Complex binomial(Complex n, Complex k) {
  if (!is_real(n) || !is_real(k)) return {kNaN, kNaN};
  const double nn = n.real(), kk = k.real();
  if (nn == std::round(nn) && kk == std::round(kk) && nn >= 0 && nn <= 1e6) {
    if (kk < 0 || kk > nn) return 0.0;
    const double m = std::min(kk, nn - kk);
    double r = 1;
    for (int i = 1; i <= static_cast<int>(m); ++i) r = r * (nn - m + i) / i;
    return std::round(r);
  }
  // Gamma, not lgamma: lgamma drops the sign of Gamma at negative arguments
  return std::tgamma(nn + 1) / (std::tgamma(kk + 1) * std::tgamma(nn - kk + 1));
}

}  // namespace

Complex MathExpression::eval_node(int32_t index, std::span<const Complex> values, bool& out_of_range) const {
  const Node& n = nodes_[static_cast<size_t>(index)];
  bool binary_op = false, unary_op = false;
  switch (n.op) {
    case Op::number: case Op::variable: case Op::pi: case Op::euler: case Op::imaginary: case Op::infinity: break;
    case Op::add: case Op::sub: case Op::mul: case Op::div: case Op::pow: case Op::root: case Op::binom:
    case Op::log_base: binary_op = true; break;
    default: unary_op = true; break;
  }
  const Complex a = binary_op || unary_op ? eval_node(n.a, values, out_of_range) : Complex{};
  const Complex b = binary_op ? eval_node(n.b, values, out_of_range) : Complex{};
  Complex r = apply(n, a, b, values);
  // -0.0 imaginary parts (from real arithmetic in complex form) would put sqrt and log on the
  // other side of their branch cut: sqrt(-5 - 0i) = -i sqrt(5). Real results carry +0.
  if (r.imag() == 0.0) r = Complex(r.real(), 0.0);
  if (binary_op || unary_op) {
    auto finite = [](Complex z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); };
    const bool operands_finite = finite(a) && (!binary_op || finite(b));
    const double magnitude = std::abs(r);
    if (operands_finite && !finite(r) && !std::isnan(r.real())) out_of_range = true;  // overflow, x/0
    if (finite(r) && (magnitude > 1e300 || (magnitude != 0 && magnitude < 1e-300))) out_of_range = true;
    if (magnitude == 0 && operands_finite) {  // underflow to zero
      const bool underflow = (n.op == Op::mul && a != Complex(0.0) && b != Complex(0.0)) ||
                             (n.op == Op::div && a != Complex(0.0)) || (n.op == Op::pow && a != Complex(0.0)) ||
                             (n.op == Op::function && n.function == Function::exp);
      if (underflow) out_of_range = true;
    }
  }
  return r;
}

Complex MathExpression::apply(const Node& n, Complex a, Complex b, std::span<const Complex> values) const {
  switch (n.op) {
    case Op::number: return n.number;
    case Op::variable:
      return static_cast<size_t>(n.a) < values.size() ? values[static_cast<size_t>(n.a)] : Complex(kNaN, kNaN);
    case Op::pi: return M_PI;
    case Op::euler: return M_E;
    case Op::imaginary: return {0.0, 1.0};
    case Op::infinity: return std::numeric_limits<double>::infinity();
    case Op::add: return a + b;
    case Op::sub: return a - b;
    case Op::mul: return a * b;
    case Op::div:
      if (b == Complex(0.0)) {
        if (a == Complex(0.0) || !is_real(a)) return {kNaN, kNaN};
        return a.real() > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
      }
      return a / b;
    case Op::pow: return power(a, b);
    case Op::neg: return {-a.real(), a.imag() == 0.0 ? 0.0 : -a.imag()};
    case Op::factorial: return factorial(a);
    case Op::abs: return std::abs(a);
    case Op::floor: return is_real(a) ? Complex(std::floor(a.real())) : Complex(kNaN, kNaN);
    case Op::ceil: return is_real(a) ? Complex(std::ceil(a.real())) : Complex(kNaN, kNaN);
    case Op::sqrt:
      if (is_real(a) && a.real() >= 0) return std::sqrt(a.real());
      return std::sqrt(a);
    case Op::root: {  // \sqrt[n]{x}: the real root for odd n and negative x
      if (!is_real(a) || a.real() == 0) return {kNaN, kNaN};
      const double d = a.real();
      if (is_real(b)) {
        if (b.real() >= 0) return std::pow(b.real(), 1.0 / d);
        if (d == std::round(d) && static_cast<long long>(d) % 2 != 0) return -std::pow(-b.real(), 1.0 / d);
      }
      return power(b, 1.0 / d);
    }
    case Op::binom: return binomial(a, b);
    case Op::log_base: return b / std::log(a);
    case Op::function:
      switch (n.function) {
        case Function::sin: return std::sin(a);
        case Function::cos: return std::cos(a);
        case Function::tan: return std::tan(a);
        case Function::sec: return Complex(1.0) / std::cos(a);
        case Function::csc: return Complex(1.0) / std::sin(a);
        case Function::cot: return Complex(1.0) / std::tan(a);
        case Function::asin: return std::asin(a);
        case Function::acos: return std::acos(a);
        case Function::atan: return std::atan(a);
        case Function::sinh: return std::sinh(a);
        case Function::cosh: return std::cosh(a);
        case Function::tanh: return std::tanh(a);
        case Function::ln:
          if (is_real(a) && a.real() > 0) return std::log(a.real());
          return std::log(a);
        case Function::exp: return std::exp(a);
      }
      return {kNaN, kNaN};
  }
  return {kNaN, kNaN};
}

Complex MathExpression::evaluate(std::span<const Complex> values, bool* out_of_range) const {
  if (root_ < 0) return {kNaN, kNaN};
  bool flag = false;
  const Complex r = eval_node(root_, values, flag);
  if (out_of_range != nullptr) *out_of_range = flag;
  return r;
}

}  // namespace dsmath::eval
