#include "eval/ocw_grader.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "core/strings.hpp"
#include "eval/answer_normalize.hpp"
#include "eval/math_expression.hpp"

namespace dsmath::eval {

namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

std::string stripped(std::string_view s) { return std::string(trim(s)); }

std::string strip_char(std::string_view s, char c) {
  while (!s.empty() && s.front() == c) s.remove_prefix(1);
  while (!s.empty() && s.back() == c) s.remove_suffix(1);
  return std::string(s);
}

// Python's float(s): a decimal or exponent literal with optional surrounding whitespace.
std::optional<double> python_float(std::string_view text) {
  const std::string s = stripped(text);
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' || c == '_'))
      return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// A whole-answer value: a float literal, else an expression without variables.
std::optional<double> evaluate(std::string_view s) {
  if (auto v = python_float(s)) return v;
  auto e = MathExpression::parse(normalize_answer(s));
  if (!e || !e->variables().empty()) return std::nullopt;
  bool out_of_range = false;
  const Complex v = e->evaluate({}, &out_of_range);
  if (out_of_range || !std::isfinite(v.real()) || std::abs(v.imag()) > 1e-12 * std::max(1.0, std::abs(v.real())))
    return std::nullopt;
  return v.real();
}

}  // namespace

std::string minerva_normalize_tex(std::string_view answer) {
  // the substitutions and removed expressions of Minerva appendix D, in its order
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kSubstitutions{{
      {"an ", ""}, {"a ", ""}, {".$", "$"}, {"\\$", ""}, {"\\ ", ""}, {" ", ""},
      {"mbox", "text"}, {",\\text{and}", ","}, {"\\text{and}", ","}, {"\\text{m}", "\\text{}"},
  }};
  static constexpr std::array<std::string_view, 42> kRemoved{
      "square", "ways", "integers", "dollars", "mph", "inches", "ft", "hours", "km", "units", "\\ldots", "sue",
      "points", "feet", "minutes", "digits", "cents", "degrees", "cm", "gm", "pounds", "meters", "meals", "edges",
      "students", "childrentickets", "multiples", "\\text{s}", "\\text{.}", "\\text{\ns}", "\\text{}^2",
      "\\text{}^3", "\\text{\n}", "\\text{}", "\\mathrm{th}", "^\\circ", "^{\\circ}", "\\;", ",\\!", "{,}", "\"",
      "\\dots"};
  std::string s(answer);
  if (const size_t eq = s.rfind('='); eq != std::string::npos) s = s.substr(eq + 1);  // split("=")[-1]
  for (const auto& [from, to] : kSubstitutions) replace_all(s, from, to);
  for (auto removed : kRemoved) replace_all(s, removed, "");
  // Python re.sub semantics: '.' stops at newlines, every non-overlapping match replaced
  static const std::regex dollars(R"((.*?)(\$)(.*?)(\$)(.*))");
  static const std::regex text(R"((\\text\{)(.*?)(\}))");
  static const std::regex textbf(R"((\\textbf\{)(.*?)(\}))");
  static const std::regex overline(R"((\\overline\{)(.*?)(\}))");
  static const std::regex boxed(R"((\\boxed\{)(.*)(\}))");
  static const std::regex frac(R"((frac)([^{])(.))");
  static const std::regex sqrt(R"((sqrt)([^{]))");
  s = std::regex_replace(s, dollars, "$$$3$$");
  s = std::regex_replace(s, text, "$2");
  s = std::regex_replace(s, textbf, "$2");
  s = std::regex_replace(s, overline, "$2");
  s = std::regex_replace(s, boxed, "$2");
  s = std::regex_replace(s, frac, "frac{$2}{$3}");
  s = std::regex_replace(s, sqrt, "sqrt{$2}");
  replace_all(s, "$", "");
  std::string digits;
  for (char c : s)
    if (c != ',') digits += c;
  const bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (all_digits) s = digits;
  return s;
}

std::optional<double> ocw_numeric_value(std::string_view answer) {
  static constexpr std::array<std::string_view, 20> kUnits{
      "eV", " \\mathrm{~kg} \\cdot \\mathrm{m} / \\mathrm{s}", " kg m/s", "kg*m/s", "kg", "m/s", "m / s", "m s^{-1}",
      "\\text{ m/s}", " \\mathrm{m/s}", " \\text{ m/s}", "g/mole", "g/mol", "\\mathrm{~g}",
      "\\mathrm{~g} / \\mathrm{mol}", "W", "erg/s", "years", "year", "cm"};
  std::string s(answer);
  for (auto unit : kUnits) {
    replace_all(s, unit, "");
    s = stripped(s);
  }
  for (std::string_view unit : {"m", "s", "cm"}) {
    replace_all(s, "\\mathrm{" + std::string(unit) + "}", "");
    replace_all(s, "\\mathrm{~" + std::string(unit) + "}", "");
    s = stripped(s);
  }
  return evaluate(strip_char(s, '$'));
}

bool ocw_numeric_equal(double a, double b, bool as_deepseek) {
  auto isclose = [](double x, double y) { return std::abs(x - y) <= 1e-8 + 1e-5 * std::abs(y); };
  if (!as_deepseek && a == b) return true;
  if (isclose(a, 0) || isclose(b, 0) || isclose(a - b, 0))
    return std::abs(a - b) < 0.01 * (as_deepseek ? (a + b) / 2 : (std::abs(a) + std::abs(b)) / 2);
  return isclose(a, b);
}

GradeResult ocw_equal(std::string_view predicted, std::string_view gold, const GradePolicy& policy) {
  if (trim(predicted).empty()) return {false, "no answer"};
  if (python_float(gold)) {
    const auto g = ocw_numeric_value(gold), p = ocw_numeric_value(predicted);
    if (!g || !p) return {false, "mismatch"};
    const bool same = ocw_numeric_equal(*p, *g, policy.deepseek);
    return {same, same ? "numeric" : "mismatch"};
  }
  if (gold.find('=') != std::string_view::npos) {
    auto sides = [](std::string_view s) -> std::optional<std::pair<std::string, std::string>> {
      std::string t(trim(s));
      if (starts_with(t, "\\[")) t = t.substr(2);
      if (t.size() >= 2 && t.substr(t.size() - 2) == "\\]") t.resize(t.size() - 2);
      t = strip_char(trim(t), '$');
      const size_t eq = t.find('=');
      if (eq == std::string::npos || t.find('=', eq + 1) != std::string::npos) return std::nullopt;
      return std::make_pair(t.substr(0, eq), t.substr(eq + 1));
    };
    const auto g = sides(gold), p = sides(predicted);
    if (!g || !p) return {false, "mismatch"};
    const bool same = math_equal(p->first, g->first).correct && math_equal(p->second, g->second).correct;
    return {same, same ? "equation" : "mismatch"};
  }
  const bool same = minerva_normalize_tex(predicted) == minerva_normalize_tex(gold);
  return {same, same ? "exact" : "mismatch"};
}

}  // namespace dsmath::eval
