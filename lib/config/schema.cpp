#include "config/schema.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"

namespace dsmath::config {

namespace {
std::string number(double v) { return fmt::format("{}", v); }
}  // namespace

std::string Check::describe() const {
  std::vector<std::string> parts;
  if (min) parts.push_back(fmt::format("{} {}", min_exclusive ? ">" : ">=", number(*min)));
  if (max) parts.push_back(fmt::format("{} {}", max_exclusive ? "<" : "<=", number(*max)));
  if (!choices.empty()) parts.push_back("one of: " + join(choices, ", "));
  if (is_nonempty) parts.push_back("not empty");
  return join(parts, " and ");
}

std::optional<std::string> Check::violation(double value) const {
  bool bad = false;
  if (min) bad |= min_exclusive ? !(value > *min) : !(value >= *min);
  if (max) bad |= max_exclusive ? !(value < *max) : !(value <= *max);
  if (!bad) return std::nullopt;
  std::vector<std::string> parts;
  if (min) parts.push_back(fmt::format("{} {}", min_exclusive ? ">" : ">=", number(*min)));
  if (max) parts.push_back(fmt::format("{} {}", max_exclusive ? "<" : "<=", number(*max)));
  return "must be " + join(parts, " and ");
}

}  // namespace dsmath::config
