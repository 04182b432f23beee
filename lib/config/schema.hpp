#pragma once
// How a config struct describes itself. Each struct lists its fields once, in a member
//
//   template <class V> void visit(V& v) {
//     v("dim", dim, "hidden size (model width)", Check().at_least(1));
//     ...
//   }
//
// and that one list drives reading YAML (strict: unknown keys, types and ranges are errors
// that name the file and line), printing the resolved config, and the generated reference
// docs/config.md. Defaults are the member initializers: the single place they live.
#include <array>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dsmath::config {

// Value constraints of one field. Built fluently: Check().at_least(1).at_most(64).
struct Check {
  std::optional<double> min, max;
  bool min_exclusive = false;
  bool max_exclusive = false;
  std::vector<std::string> choices;  // allowed string values
  bool is_required = false;          // must be given (no meaningful default)
  bool is_nonempty = false;          // strings and lists must not be empty

  Check& at_least(double v) { min = v; min_exclusive = false; return *this; }
  Check& greater_than(double v) { min = v; min_exclusive = true; return *this; }
  Check& at_most(double v) { max = v; max_exclusive = false; return *this; }
  Check& less_than(double v) { max = v; max_exclusive = true; return *this; }
  Check& in_range(double lo, double hi) { return at_least(lo).at_most(hi); }
  Check& one_of(std::vector<std::string> values) { choices = std::move(values); return *this; }
  Check& required() { is_required = true; return *this; }
  Check& nonempty() { is_nonempty = true; return *this; }

  // "must be >= 1 and <= 64" (empty when unconstrained); used in errors and docs.
  std::string describe() const;
  // nullopt when `value` satisfies the range, else the violated condition.
  std::optional<std::string> violation(double value) const;
};

// Enums are written in YAML as names. Specialize for each config enum:
//   template <> struct EnumNames<LrSchedule> {
//     static constexpr std::array<std::pair<LrSchedule, std::string_view>, 3> values{{...}};
//   };
template <class E>
struct EnumNames;

template <class E>
concept ConfigEnum = std::is_enum_v<E> && requires { EnumNames<E>::values; };

template <ConfigEnum E>
std::string_view enum_name(E value) {
  for (const auto& [v, name] : EnumNames<E>::values)
    if (v == value) return name;
  return "?";
}

template <ConfigEnum E>
std::optional<E> enum_from_name(std::string_view name) {
  for (const auto& [v, n] : EnumNames<E>::values)
    if (n == name) return v;
  return std::nullopt;
}

template <ConfigEnum E>
std::vector<std::string> enum_names() {
  std::vector<std::string> out;
  for (const auto& [v, n] : EnumNames<E>::values) out.emplace_back(n);
  return out;
}

// Any visitor works for the concept check; this one ignores everything.
struct NullVisitor {
  template <class T>
  void operator()(std::string_view, T&, std::string_view, const Check& = {}) {}
};

template <class T>
concept ConfigStruct = std::is_class_v<T> && requires(T t, NullVisitor v) { t.visit(v); };

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {
  using element = T;
};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {
  using element = T;
};

// Human name of a field type for errors and docs ("integer", "list of numbers", ...).
template <class T>
std::string type_name() {
  if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_integral_v<T>) return std::is_signed_v<T> ? "integer" : "non-negative integer";
  else if constexpr (std::is_floating_point_v<T>) return "number";
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (ConfigEnum<T>) return "one of the names below";
  else if constexpr (is_optional<T>::value) return type_name<typename is_optional<T>::element>() + " or null";
  else if constexpr (is_vector<T>::value) {
    if constexpr (ConfigStruct<typename is_vector<T>::element>) return "list of mappings";
    else return "list of " + type_name<typename is_vector<T>::element>() + "s";
  }
  else if constexpr (ConfigStruct<T>) return "mapping (or a path to a YAML file holding it)";
  else return "value";
}

}  // namespace dsmath::config
