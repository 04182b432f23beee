#include "eval/math_grader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "eval/answer_normalize.hpp"
#include "eval/math_expression.hpp"

namespace dsmath::eval {

const char* const kGradingPolicy =
    "Final answers are compared after LaTeX normalization (\\left/\\right, \\dfrac/\\tfrac, \\frac12 "
    "shorthand, \\text{} units, degrees, \\$, thousands separators, spacing, trailing periods). "
    "Structures must match: tuples and intervals in order with identical bracket types, sets and "
    "bare lists unordered, matrices cell by cell (a column or row vector also equals its entries in round "
    "brackets); \"a \\pm b\" is the list of both values; an "
    "inequality in one variable is the interval it describes. Two plain decimal literals must be "
    "equal as decimals; a decimal literal shorter than the 7 significant digits the tolerance "
    "resolves must equal an expression exactly (\"0.125\" is 1/8, \"1.414\" is not \\sqrt{2}); "
    "repeating decimals 0.\\overline{3} are exact fractions; other scalars are evaluated and compared with relative tolerance 1e-6, "
    "expressions with variables at random points; \"25%\" equals 25 and 0.25. \"x = 5\" equals 5 "
    "when the left side is a lone variable; two equations are equal when their sides match or "
    "one's lhs-rhs is a nonzero constant multiple of the other's. Words compare as text, "
    "ignoring case. \"1,000\" is tried both as a number and as a list.";

const char* const kDeepseekGradingPolicy =
    "DeepSeek-Math's rules (grading.policy deepseek): the same normalization and structures, but "
    "numbers and evaluated expressions are equal within an absolute tolerance of 1e-3 (decimal "
    "literals included: \"1.414\" is \\sqrt{2}), two numbers are also equal when the prediction is "
    "the gold times 100 or divided by 100, and tuples and intervals are compared item by item "
    "whatever their brackets.";

const char* grading_policy_text(const GradePolicy& policy) {
  return policy.deepseek ? kDeepseekGradingPolicy : kGradingPolicy;
}
const char* grading_policy_name(const GradePolicy& policy) { return policy.deepseek ? "deepseek" : "default"; }

GradePolicy deepseek_policy() {
  GradePolicy p;
  p.deepseek = true;
  p.relative_tolerance = 1e-9;  // math.isclose's default rel_tol beside abs_tol=1e-3
  p.absolute_tolerance = 1e-3;
  p.decimal_tolerance = 1e-9;   // unused: deepseek compares decimals with the tolerance
  return p;
}

namespace {

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// ---------------------------------------------------------------------------------------
// Structure

struct Value {
  enum class Kind { scalar, equation, ordered, unordered, matrix };
  Kind kind = Kind::scalar;
  std::string text;          // canonical text of this part
  char open = 0, close = 0;  // ordered: bracket types
  bool percent = false;      // scalar written with a trailing %
  std::vector<Value> items;  // ordered/unordered elements; equation {lhs, rhs}; matrix rows
};

bool starts_with_at(std::string_view s, size_t i, std::string_view what) { return s.substr(i, what.size()) == what; }

// Bracket depth change of the token at i, and its length. "\{" "\}" "\langle" "\rangle"
// count as brackets; "\\" and other commands do not.
int bracket_delta(std::string_view s, size_t i, size_t& length) {
  length = 1;
  const char c = s[i];
  if (c == '\\') {
    if (starts_with_at(s, i, "\\{")) return length = 2, +1;
    if (starts_with_at(s, i, "\\}")) return length = 2, -1;
    if (starts_with_at(s, i, "\\langle")) return length = 7, +1;
    if (starts_with_at(s, i, "\\rangle")) return length = 7, -1;
    size_t j = i + 1;
    if (j < s.size() && !is_letter(s[j])) return length = 2, 0;
    while (j < s.size() && is_letter(s[j])) ++j;
    length = j - i;
    return 0;
  }
  if (c == '(' || c == '[' || c == '{') return +1;
  if (c == ')' || c == ']' || c == '}') return -1;
  return 0;
}

// Splits at depth-0 occurrences of any separator in `separators` (literal strings).
std::vector<std::string> split_top_level(std::string_view s, const std::vector<std::string_view>& separators) {
  std::vector<std::string> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size();) {
    if (depth == 0) {
      bool matched = false;
      for (auto sep : separators) {
        if (!starts_with_at(s, i, sep)) continue;
        // a command separator must not be the prefix of a longer command (\cup vs \cupdot)
        if (sep.front() == '\\' && i + sep.size() < s.size() && is_letter(s[i + sep.size()])) continue;
        parts.emplace_back(s.substr(start, i - start));
        i += sep.size();
        start = i;
        matched = true;
        break;
      }
      if (matched) continue;
    }
    size_t length = 1;
    depth += bracket_delta(s, i, length);
    i += length;
  }
  parts.emplace_back(s.substr(start));
  return parts;
}

// Index just past the bracket that closes the one opening at 0, or npos.
size_t closing_bracket_end(std::string_view s) {
  int depth = 0;
  for (size_t i = 0; i < s.size();) {
    size_t length = 1;
    depth += bracket_delta(s, i, length);
    i += length;
    if (depth == 0) return i;
  }
  return std::string_view::npos;
}

Value parse_value(std::string_view text, int depth = 0);

Value scalar(std::string_view text) {
  Value v;
  v.text = std::string(trim(text));
  if (!v.text.empty() && v.text.back() == '%') {
    v.percent = true;
    v.text.pop_back();
  }
  return v;
}

std::optional<Value> parse_matrix(std::string_view s) {
  if (!starts_with(s, "\\begin{")) return std::nullopt;
  const size_t name_end = s.find('}');
  if (name_end == std::string_view::npos) return std::nullopt;
  const std::string env(s.substr(7, name_end - 7));
  static const std::vector<std::string> kinds{"pmatrix", "bmatrix", "matrix", "vmatrix", "Bmatrix", "smallmatrix", "array"};
  if (std::find(kinds.begin(), kinds.end(), env) == kinds.end()) return std::nullopt;
  const std::string end_tag = "\\end{" + env + "}";
  if (s.size() < end_tag.size() || s.substr(s.size() - end_tag.size()) != end_tag) return std::nullopt;
  std::string_view body = s.substr(name_end + 1, s.size() - end_tag.size() - name_end - 1);
  if (env == "array" && !body.empty() && body.front() == '{') {  // column spec
    const size_t close = matching_brace(body, 0);
    if (close == std::string_view::npos) return std::nullopt;
    body = body.substr(close);
  }
  Value m;
  m.kind = Value::Kind::matrix;
  m.text = std::string(s);
  for (const auto& row_text : split_top_level(body, {"\\\\"})) {
    if (trim(row_text).empty()) continue;
    Value row;
    row.kind = Value::Kind::ordered;
    row.open = '[';
    row.close = ']';
    row.text = row_text;
    for (const auto& cell : split_top_level(row_text, {"&"})) row.items.push_back(parse_value(cell));
    m.items.push_back(std::move(row));
  }
  if (m.items.empty()) return std::nullopt;
  return m;
}

// "a < x \le b", "x > 3", "x \ge -2": one variable bounded on one or both sides, read as the
// interval it describes.
std::optional<Value> parse_inequality(std::string_view s) {
  struct Relation {
    std::string_view token;
    bool less;    // points from the smaller to the larger side
    bool strict;
  };
  static const std::vector<Relation> relations{{"\\le", true, false}, {"\\ge", false, false}, {"<=", true, false},
                                               {">=", false, false},  {"<", true, true},      {">", false, true}};
  std::vector<std::string_view> seps;
  for (const auto& r : relations) seps.push_back(r.token);
  std::vector<std::string> terms = split_top_level(s, seps);
  if (terms.size() < 2 || terms.size() > 3) return std::nullopt;
  // recover which relation separated each pair of terms
  std::vector<const Relation*> ops;
  size_t pos = 0;
  for (size_t t = 0; t + 1 < terms.size(); ++t) {
    pos += terms[t].size();
    const Relation* found = nullptr;
    for (const auto& r : relations)
      if (starts_with_at(s, pos, r.token)) {
        found = &r;
        break;
      }
    if (found == nullptr) return std::nullopt;
    ops.push_back(found);
    pos += found->token.size();
  }
  auto lone_variable = [](std::string_view t) {
    auto e = MathExpression::parse(trim(t));
    return e && e->variables().size() == 1 && e->variables()[0] == std::string(trim(t));
  };
  Value interval;
  interval.kind = Value::Kind::ordered;
  interval.text = std::string(s);
  std::string lower = "-\\infty", upper = "\\infty";
  bool lower_closed = false, upper_closed = false;
  auto set_bound = [&](const std::string& bound, const Relation& r, bool variable_on_left) {
    // variable_on_left: "x < b" bounds from above when r.less
    const bool is_upper = (r.less == variable_on_left);
    if (is_upper) {
      upper = bound;
      upper_closed = !r.strict;
    } else {
      lower = bound;
      lower_closed = !r.strict;
    }
  };
  if (terms.size() == 2) {
    if (lone_variable(terms[0])) set_bound(std::string(trim(terms[1])), *ops[0], true);
    else if (lone_variable(terms[1])) set_bound(std::string(trim(terms[0])), *ops[0], false);
    else return std::nullopt;
  } else {
    if (!lone_variable(terms[1]) || ops[0]->less != ops[1]->less) return std::nullopt;
    set_bound(std::string(trim(terms[0])), *ops[0], false);
    set_bound(std::string(trim(terms[2])), *ops[1], true);
  }
  interval.open = lower_closed ? '[' : '(';
  interval.close = upper_closed ? ']' : ')';
  interval.items.push_back(scalar(lower));
  interval.items.push_back(scalar(upper));
  return interval;
}

Value unordered_of(const std::vector<std::string>& parts, std::string_view text, int depth) {
  Value v;
  v.kind = Value::Kind::unordered;
  v.text = std::string(text);
  for (const auto& p : parts)
    if (!trim(p).empty()) v.items.push_back(parse_value(p, depth + 1));
  return v;
}

Value parse_value(std::string_view text, int depth) {
  const std::string_view s = trim(text);
  if (depth > 8 || s.empty()) return scalar(s);
  if (auto m = parse_matrix(s)) return *m;

  // a \pm b: both values (once; "\mp" is the same pair)
  for (std::string_view pm : {std::string_view("\\pm"), std::string_view("\\mp")}) {
    const auto pieces = split_top_level(s, {pm});
    if (pieces.size() == 2) {
      const std::string plus = pieces[0] + "+" + pieces[1];
      const std::string minus = pieces[0] + "-" + pieces[1];
      return unordered_of({plus, minus}, s, depth);
    }
  }
  if (auto unions = split_top_level(s, {"\\cup"}); unions.size() > 1) return unordered_of(unions, s, depth);

  // one bracketed group spanning the whole answer: tuple, interval, set, or just parentheses
  const bool set_braces = starts_with(s, "\\{");
  const bool angle = starts_with(s, "\\langle");
  if (s.front() == '(' || s.front() == '[' || set_braces || angle) {
    const size_t end = closing_bracket_end(s);
    if (end == s.size()) {
      const size_t open_len = set_braces ? 2 : (angle ? 7 : 1);
      const size_t close_len = set_braces ? 2 : (angle ? 7 : 1);
      if (s.size() >= open_len + close_len) {
        const std::string_view inner = s.substr(open_len, s.size() - open_len - close_len);
        const auto parts = split_top_level(inner, {","});
        if (set_braces) return unordered_of(parts, s, depth);
        const char close = s.back();
        if (parts.size() >= 2) {
          Value v;
          v.kind = Value::Kind::ordered;
          v.text = std::string(s);
          v.open = angle ? '<' : s.front();
          v.close = angle ? '>' : close;
          for (const auto& p : parts) v.items.push_back(parse_value(p, depth + 1));
          return v;
        }
        if ((s.front() == '(' && close == ')') || (s.front() == '[' && close == ']') || angle)
          return parse_value(inner, depth + 1);
      }
    }
  }
  if (auto parts = split_top_level(s, {",", ";"}); parts.size() > 1) return unordered_of(parts, s, depth);
  if (auto interval = parse_inequality(s)) return *interval;

  if (auto sides = split_top_level(s, {"="}); sides.size() >= 2) {
    Value eq;
    eq.kind = Value::Kind::equation;
    eq.text = std::string(s);
    eq.items.push_back(parse_value(sides.front(), depth + 1));
    eq.items.push_back(parse_value(sides.back(), depth + 1));
    return eq;
  }
  return scalar(s);
}

// ---------------------------------------------------------------------------------------
// Comparison

std::string lowercase_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '{' || c == '}') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// "-012.50" -> "-12.5"; "-0" -> "0".
std::string canonical_decimal(std::string_view literal) {
  std::string sign;
  if (!literal.empty() && literal.front() == '-') {
    sign = "-";
    literal.remove_prefix(1);
  }
  std::string whole(literal.substr(0, literal.find('.')));
  std::string fraction = literal.find('.') == std::string_view::npos ? "" : std::string(literal.substr(literal.find('.') + 1));
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  size_t nz = whole.find_first_not_of('0');
  whole = nz == std::string::npos ? "0" : whole.substr(nz);
  if (whole == "0" && fraction.empty()) sign.clear();
  return sign + whole + (fraction.empty() ? "" : "." + fraction);
}

// Significant digits a decimal literal shows: "0.0300" -> 3, "98.9949" -> 6, "-12" -> 2.
size_t significant_digits(std::string_view literal) {
  std::string digits;
  for (char c : literal)
    if (is_digit(c)) digits += c;
  const size_t first = digits.find_first_not_of('0');
  return first == std::string::npos ? 1 : digits.size() - first;
}

// Significant digits a relative tolerance tells apart: 1e-6 -> 7, 1e-4 -> 5.
size_t digits_resolved(double relative_tolerance) {
  return static_cast<size_t>(std::max(1.0, std::round(-std::log10(relative_tolerance)) + 1.0));
}

bool is_word(std::string_view s) {
  return s.size() >= 2 && std::all_of(s.begin(), s.end(), [](char c) { return is_letter(c); });
}

class Comparator {
 public:
  explicit Comparator(const GradePolicy& policy) : policy_(policy) {}

  bool equal(const Value& a, const Value& b) {
    using K = Value::Kind;
    if (a.kind == b.kind && a.text == b.text && a.percent == b.percent) return note("exact");
    if (a.kind == K::equation && b.kind != K::equation && is_label(a.items[0])) return equal(a.items[1], b);
    if (b.kind == K::equation && a.kind != K::equation && is_label(b.items[0])) return equal(a, b.items[1]);
    if (a.kind == K::matrix && b.kind == K::ordered) return vector_equals_tuple(a, b);
    if (b.kind == K::matrix && a.kind == K::ordered) return vector_equals_tuple(b, a);
    if (a.kind != b.kind) return false;
    switch (a.kind) {
      case K::scalar: return scalars_equal(a, b);
      case K::equation: return equations_equal(a, b);
      case K::ordered: {
        // DeepSeek's math_equal splits any "(...)" / "[...]" pair at its commas, brackets unread
        const bool brackets_match = policy_.deepseek || (a.open == b.open && a.close == b.close);
        if (!brackets_match || a.items.size() != b.items.size()) return false;
        for (size_t i = 0; i < a.items.size(); ++i)
          if (!equal(a.items[i], b.items[i])) return false;
        return note("tuple");
      }
      case K::unordered: return unordered_equal(a.items, b.items) && note("unordered");
      case K::matrix: {
        if (a.items.size() != b.items.size()) return false;
        for (size_t r = 0; r < a.items.size(); ++r) {
          const auto& ra = a.items[r].items;
          const auto& rb = b.items[r].items;
          if (ra.size() != rb.size()) return false;
          for (size_t c = 0; c < ra.size(); ++c)
            if (!equal(ra[c], rb[c])) return false;
        }
        return note("matrix");
      }
    }
    return false;
  }

  const std::string& rule() const { return rule_; }

 private:
  // A column or row vector written as a tuple: "(1,2)" for \begin{pmatrix}1\\2\end{pmatrix}.
  // Only round (or angle) brackets: "[1,2]" is an interval.
  bool vector_equals_tuple(const Value& matrix, const Value& tuple) {
    if (tuple.open != '(' && tuple.open != '<') return false;
    if (tuple.close != ')' && tuple.close != '>') return false;
    std::vector<const Value*> cells;
    const bool column = std::all_of(matrix.items.begin(), matrix.items.end(), [](const Value& r) { return r.items.size() == 1; });
    if (column) {
      for (const auto& r : matrix.items) cells.push_back(&r.items[0]);
    } else if (matrix.items.size() == 1) {
      for (const auto& c : matrix.items[0].items) cells.push_back(&c);
    } else {
      return false;
    }
    if (cells.size() != tuple.items.size()) return false;
    for (size_t i = 0; i < cells.size(); ++i)
      if (!equal(*cells[i], tuple.items[i])) return false;
    return note("matrix");
  }

  bool note(const char* rule) {
    rule_ = rule;
    return true;
  }

  // The left side of "x = 5", "f(x) = x^2", "(x, y) = (1, 2)": names what the answer is.
  static bool is_label(const Value& lhs) {
    if (lhs.kind == Value::Kind::ordered) {
      return std::all_of(lhs.items.begin(), lhs.items.end(), [](const Value& v) { return is_label(v); });
    }
    if (lhs.kind != Value::Kind::scalar) return false;
    const std::string& t = lhs.text;
    if (auto e = MathExpression::parse(t); e && e->variables().size() == 1 && e->variables()[0] == t) return true;
    // function notation: a letter applied to variables, "f(x)", "p(x,y)"; the letter may be
    // marked as an inverse, a derivative or an indexed function ("f^{-1}(x)" in the answers
    // of inverse-function problems, "f'(x)", "f_2(x)")
    const size_t open = t.find('(');
    if (open == std::string::npos || open == 0 || !is_letter(t[0]) || t.back() != ')' || t.size() < open + 3) return false;
    const std::string_view mark = std::string_view(t).substr(1, open - 1);
    const bool name_ok = mark.empty() || mark == "^{-1}" || mark == "^-1" || mark == "'" || mark == "''" ||
                         (mark.size() == 2 && mark[0] == '_' && (is_letter(mark[1]) || is_digit(mark[1])));
    return name_ok && std::all_of(t.begin() + static_cast<std::ptrdiff_t>(open) + 1, t.end() - 1,
                                  [](char c) { return is_letter(c) || c == ','; });
  }

  const MathExpression* parsed(const std::string& text) {
    auto it = cache_.find(text);
    if (it == cache_.end()) {
      std::optional<MathExpression> e;
      if (!is_word(text)) e = MathExpression::parse(text);
      it = cache_.emplace(text, std::move(e)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  bool close(Complex x, Complex y) const { return close(x, y, policy_.relative_tolerance); }
  bool close(Complex x, Complex y, double relative_tolerance) const {
    const bool fx = std::isfinite(x.real()) && std::isfinite(x.imag());
    const bool fy = std::isfinite(y.real()) && std::isfinite(y.imag());
    if (!fx || !fy) {
      // only matching real infinities are equal (\infty vs \infty, -\infty vs -\infty)
      return std::isinf(x.real()) && std::isinf(y.real()) && x.real() == y.real() && x.imag() == 0 && y.imag() == 0;
    }
    const double scale = std::max(std::abs(x), std::abs(y));
    return std::abs(x - y) <= relative_tolerance * scale + policy_.absolute_tolerance;
  }

  // The two expressions compared at points: every variable of either gets a value; the
  // same values for both. Returns nullopt when too few points give finite values.
  std::optional<bool> compare_at_points(const MathExpression& x, double scale_x, const MathExpression& y,
                                        double scale_y, const std::function<bool(Complex, Complex)>& same) {
    std::vector<std::string> names = x.variables();
    for (const auto& n : y.variables())
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    std::sort(names.begin(), names.end());
    auto values_for = [&](const MathExpression& e, const std::vector<Complex>& all) {
      std::vector<Complex> v;
      for (const auto& n : e.variables())
        v.push_back(all[static_cast<size_t>(std::find(names.begin(), names.end(), n) - names.begin())]);
      return v;
    };
    if (names.empty()) {
      bool range_x = false, range_y = false;
      const Complex vx = x.evaluate({}, &range_x) * scale_x, vy = y.evaluate({}, &range_y) * scale_y;
      if (std::isnan(vx.real()) || std::isnan(vy.real()) || range_x || range_y) return std::nullopt;
      return same(vx, vy);
    }
    // Fixed seed: a grade never depends on the run. Values avoid 0 and +-1, where
    // different expressions often agree, and cover both signs.
    Rng rng(0x5eed5eedULL);
    int valid = 0;
    for (int trial = 0; trial < policy_.random_points * 4 && valid < policy_.random_points; ++trial) {
      std::vector<Complex> all;
      for (size_t i = 0; i < names.size(); ++i) {
        const double magnitude = 0.3 + 2.4 * rng.uniform();
        all.emplace_back(rng.uniform() < 0.5 ? -magnitude : magnitude);
      }
      bool range_x = false, range_y = false;
      const Complex vx = x.evaluate(values_for(x, all), &range_x) * scale_x;
      const Complex vy = y.evaluate(values_for(y, all), &range_y) * scale_y;
      const bool fx = std::isfinite(vx.real()) && std::isfinite(vx.imag());
      const bool fy = std::isfinite(vy.real()) && std::isfinite(vy.imag());
      if (!fx || !fy || range_x || range_y) continue;
      if (!same(vx, vy)) return false;
      ++valid;
    }
    if (valid < std::min(3, policy_.random_points)) return std::nullopt;
    return true;
  }

  bool scalars_equal(const Value& a, const Value& b) {
    const MathExpression* x = parsed(a.text);
    const MathExpression* y = parsed(b.text);
    if (x == nullptr || y == nullptr) {
      if (a.percent != b.percent) return false;
      return lowercase_text(a.text) == lowercase_text(b.text) && note("text");
    }
    // "25%" is 25 as written and 0.25 as a fraction; try each reading the signs allow
    std::vector<std::pair<double, double>> scales{{1.0, 1.0}};
    if (a.percent && !b.percent) scales.emplace_back(0.01, 1.0);
    if (b.percent && !a.percent) scales.emplace_back(1.0, 0.01);
    const auto lx = x->literal(), ly = y->literal();
    if (policy_.deepseek) {
      // DeepSeek: two numbers within abs_tol 1e-3, the gold also as gold/100 and gold*100
      // (a is the prediction, b the gold: Comparator::equal(predicted, gold))
      if (lx && ly)
        for (double gold_scale : {0.01, 100.0}) scales.emplace_back(1.0, gold_scale);
      for (const auto& [sx, sy] : scales) {
        auto result = compare_at_points(*x, sx, *y, sy, [&](Complex p, Complex q) { return close(p, q); });
        if (result && *result) return note(x->variables().empty() && y->variables().empty() ? "numeric" : "symbolic");
      }
      return false;
    }
    // a decimal too short to resolve relative_tolerance must be exact (GradePolicy::decimal_tolerance)
    double tolerance = policy_.relative_tolerance;
    if (lx.has_value() != ly.has_value() && significant_digits(lx ? *lx : *ly) < digits_resolved(tolerance))
      tolerance = std::min(policy_.decimal_tolerance, tolerance);
    for (const auto& [sx, sy] : scales) {
      if (lx && ly && sx == sy) {
        if (canonical_decimal(*lx) == canonical_decimal(*ly)) return note("literal");
        continue;
      }
      auto result = compare_at_points(*x, sx, *y, sy, [&](Complex p, Complex q) { return close(p, q, tolerance); });
      if (result && *result) return note(x->variables().empty() && y->variables().empty() ? "numeric" : "symbolic");
    }
    return false;
  }

  bool equations_equal(const Value& a, const Value& b) {
    if (equal(a.items[0], b.items[0]) && equal(a.items[1], b.items[1])) return note("equation");
    // lhs - rhs of one a nonzero constant multiple of the other's: "y = 2x + 1" and "2x - y + 1 = 0"
    auto difference = [](const Value& eq) -> std::optional<std::string> {
      if (eq.items[0].kind != Value::Kind::scalar || eq.items[1].kind != Value::Kind::scalar) return std::nullopt;
      if (eq.items[0].percent || eq.items[1].percent) return std::nullopt;
      return "(" + eq.items[0].text + ")-(" + eq.items[1].text + ")";
    };
    const auto da = difference(a), db = difference(b);
    if (!da || !db) return false;
    const MathExpression* x = parsed(*da);
    const MathExpression* y = parsed(*db);
    if (x == nullptr || y == nullptr || (x->variables().empty() && y->variables().empty())) return false;
    std::optional<Complex> ratio;
    bool degenerate = false;
    auto proportional = [&](Complex p, Complex q) {
      const double tol = policy_.absolute_tolerance * 1e3;
      if (std::abs(p) <= tol && std::abs(q) <= tol) return true;  // both sides vanish here
      if (std::abs(p) <= tol || std::abs(q) <= tol) return false;
      const Complex r = p / q;
      if (!ratio) {
        ratio = r;
        return true;
      }
      if (std::abs(r) < 1e-9) degenerate = true;
      return close(r, *ratio);
    };
    auto result = compare_at_points(*x, 1.0, *y, 1.0, proportional);
    return result && *result && ratio && !degenerate && note("equation");
  }

  // Perfect matching between two lists (Kuhn's augmenting paths; lists are short).
  bool unordered_equal(const std::vector<Value>& a, const std::vector<Value>& b) {
    if (a.size() != b.size() || a.size() > 64) return false;
    const size_t n = a.size();
    std::vector<std::vector<char>> eq(n, std::vector<char>(n, 0));
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) eq[i][j] = equal(a[i], b[j]) ? 1 : 0;
    std::vector<int> match_of_b(n, -1);
    std::function<bool(size_t, std::vector<char>&)> augment = [&](size_t i, std::vector<char>& seen) {
      for (size_t j = 0; j < n; ++j) {
        if (!eq[i][j] || seen[j]) continue;
        seen[j] = 1;
        if (match_of_b[j] < 0 || augment(static_cast<size_t>(match_of_b[j]), seen)) {
          match_of_b[j] = static_cast<int>(i);
          return true;
        }
      }
      return false;
    };
    for (size_t i = 0; i < n; ++i) {
      std::vector<char> seen(n, 0);
      if (!augment(i, seen)) return false;
    }
    return true;
  }

  const GradePolicy& policy_;
  std::map<std::string, std::optional<MathExpression>> cache_;
  std::string rule_ = "mismatch";
};

// "1,000" and "\$12,500.50": a number with thousands separators, or a list; both readings.
std::vector<std::string> readings(const std::string& normalized) {
  std::vector<std::string> out{normalized};
  std::string_view s = normalized;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  size_t i = 0, first_group = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  first_group = i;
  if (first_group == 0 || first_group > 3) return out;
  bool grouped = false;
  while (i < s.size() && s[i] == ',') {
    size_t j = i + 1;
    while (j < s.size() && is_digit(s[j])) ++j;
    if (j - i - 1 != 3) return out;
    grouped = true;
    i = j;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (!grouped || i != s.size()) return out;
  // a group starting with 0 ("1,000") cannot be an item of a list; only the number reading
  bool zero_group = false;
  for (size_t k = 0; k + 1 < normalized.size(); ++k) zero_group |= normalized[k] == ',' && normalized[k + 1] == '0';
  if (zero_group) out.clear();
  std::string joined;
  for (char c : normalized)
    if (c != ',') joined += c;
  out.push_back(joined);
  return out;
}

}  // namespace

size_t answer_list_length(std::string_view gold) {
  const Value v = parse_value(normalize_answer(gold));
  return v.kind == Value::Kind::unordered ? v.items.size() : 1;
}

GradeResult math_equal(std::string_view predicted, std::string_view gold, const GradePolicy& policy) {
  const std::string p = normalize_answer(predicted);
  const std::string g = normalize_answer(gold);
  if (p.empty()) return {false, "no answer"};
  if (p == g) return {true, "exact"};
  Comparator comparator(policy);
  for (const auto& pr : readings(p)) {
    for (const auto& gr : readings(g)) {
      if (comparator.equal(parse_value(pr), parse_value(gr))) return {true, comparator.rule()};
    }
  }
  return {false, "mismatch"};
}

}  // namespace dsmath::eval
