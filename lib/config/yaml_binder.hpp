#pragma once
// YAML -> config structs, strictly. Every error names where the value came from (file:line:col
// or the --set override), the dotted key, what was expected, and a hint.
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/schema.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"

namespace dsmath::config {

// One `--set a.b.c=VALUE` from the command line, VALUE parsed as YAML.
struct Override {
  std::string path;
  YAML::Node value;
  std::string origin;  // the text the user typed, for errors
  bool used = false;
};

// Where the node being read came from.
struct Origin {
  std::string file;           // YAML file ("" when the value came from an override)
  std::string override_text;  // "--set a.b=1" when it came from an override
  std::filesystem::path base_dir;  // relative paths inside the value resolve against this
};

struct BindContext {
  std::string prefix;  // dotted path of the struct being read ("" at the root)
  Origin origin;
  std::vector<Override>* overrides = nullptr;
};

// "file.yaml:12:3" / "--set a.b=1" / "file.yaml"
std::string location(const Origin& origin, const YAML::Node& node);
// The parsed document of `path`, with parse errors turned into Errors naming file:line:col.
YAML::Node load_yaml_file(const std::filesystem::path& path);
std::string scalar_preview(const YAML::Node& node);
[[noreturn]] void type_error(const Origin& origin, const YAML::Node& node, const std::string& path,
                             const std::string& expected, const std::string& hint = {});
[[noreturn]] void value_error(const Origin& origin, const YAML::Node& node, const std::string& path,
                              const std::string& problem, const std::string& hint = {});
std::string join_path(const std::string& prefix, std::string_view key);

template <class T>
void read_value(const YAML::Node& node, T& value, const std::string& path, const BindContext& ctx, const Check& check);

// Visitor that lists a struct's keys.
struct KeyLister {
  std::vector<std::string> keys;
  template <class T>
  void operator()(std::string_view key, T&, std::string_view, const Check& = {}) {
    keys.emplace_back(key);
  }
};

// Visitor that binds the fields of one mapping.
class Binder {
 public:
  Binder(YAML::Node node, BindContext ctx) : node_(std::move(node)), ctx_(std::move(ctx)) {}

  template <class T>
  void operator()(std::string_view key, T& value, std::string_view /*doc*/, const Check& check = {}) {
    keys_.emplace_back(key);
    const std::string path = join_path(ctx_.prefix, key);
    if (ctx_.overrides != nullptr) {
      // The last --set of a path wins, as on any command line.
      Override* last = nullptr;
      for (auto& ov : *ctx_.overrides) {
        if (ov.path != path) continue;
        ov.used = true;
        last = &ov;
      }
      if (last != nullptr) {
        BindContext sub = ctx_;
        sub.origin = Origin{"", last->origin, std::filesystem::current_path()};
        read_value(last->value, value, path, sub, check);
        return;
      }
    }
    YAML::Node child;
    if (node_.IsMap()) child = node_[std::string(key)];
    if (child.IsDefined()) {
      read_value(child, value, path, ctx_, check);
      return;
    }
    if (check.is_required)
      throw Error(fmt::format("{}: missing required key '{}' ({})", location(ctx_.origin, node_), path,
                              type_name<T>()),
                  fmt::format("add '{}: ...' to the config or pass --set {}=...", key, path));
    // Absent: keep the default, but descend so nested overrides and required keys apply.
    if constexpr (ConfigStruct<T>) {
      Binder sub(YAML::Node(YAML::NodeType::Map), BindContext{path, ctx_.origin, ctx_.overrides});
      value.visit(sub);
      sub.finish();
    }
  }

  // Rejects keys the struct did not ask for (with a "did you mean"), and duplicates.
  void finish() const { check_keys(node_, ctx_, keys_); }
  static void check_keys(const YAML::Node& node, const BindContext& ctx, const std::vector<std::string>& known);

 private:
  YAML::Node node_;
  BindContext ctx_;
  std::vector<std::string> keys_;
};

template <class T>
void validate_if_defined(T& value, const std::string& path, const Origin& origin, const YAML::Node& node) {
  if constexpr (requires { value.validate(); }) {
    try {
      value.validate();
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}{}{}", location(origin, node), path, path.empty() ? "" : ": ", e.what()),
                  e.hint());
    }
  }
}

template <class T>
void read_struct(const YAML::Node& node, T& value, const std::string& path, const BindContext& ctx) {
  if (node.IsScalar()) {
    // A string where a mapping is expected names a YAML file holding that mapping, relative
    // to the file that names it (configs/pretrain/x.yaml: `model: ../model/tiny.yaml`).
    std::filesystem::path file = node.Scalar();
    if (file.is_relative()) file = ctx.origin.base_dir / file;
    if (!std::filesystem::exists(file))
      value_error(ctx.origin, node, path, fmt::format("file '{}' does not exist", file.string()),
                  "a string here must be the path of a YAML file holding the '" + path +
                      "' mapping, relative to the file that names it");
    YAML::Node doc = load_yaml_file(file);
    BindContext sub{path, Origin{file.string(), "", file.parent_path()}, ctx.overrides};
    if (!doc.IsMap() && !doc.IsNull())
      type_error(sub.origin, doc, path, "a mapping at the top of the file");
    read_struct(doc.IsNull() ? YAML::Node(YAML::NodeType::Map) : doc, value, path, sub);
    return;
  }
  if (!node.IsMap() && !node.IsNull()) type_error(ctx.origin, node, path, type_name<T>());
  BindContext sub{path, ctx.origin, ctx.overrides};
  // Unknown keys first: a misspelt key should be reported as such, not as the required key
  // it failed to provide.
  KeyLister lister;
  T probe{};
  probe.visit(lister);
  Binder::check_keys(node, sub, lister.keys);
  Binder binder(node.IsNull() ? YAML::Node(YAML::NodeType::Map) : node, sub);
  value.visit(binder);
  binder.finish();
  validate_if_defined(value, path, ctx.origin, node);
}

template <class T>
T parse_integer(const YAML::Node& node, const std::string& path, const BindContext& ctx) {
  if (!node.IsScalar()) type_error(ctx.origin, node, path, type_name<T>());
  const std::string text(trim(node.Scalar()));
  long long parsed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if constexpr (std::is_unsigned_v<T>) {
      if (parsed < 0) value_error(ctx.origin, node, path, fmt::format("{} is negative", text), "use a value >= 0");
    }
    if (parsed < static_cast<long long>(std::numeric_limits<T>::min()) ||
        static_cast<unsigned long long>(parsed) > static_cast<unsigned long long>(std::numeric_limits<T>::max()))
      value_error(ctx.origin, node, path, fmt::format("{} does not fit in this field", text));
    return static_cast<T>(parsed);
  }
  // Large counts are often written in scientific notation (tokens: 5e11): accept exact integers.
  double d = 0;
  auto [end2, ec2] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec2 == std::errc() && end2 == text.data() + text.size() && std::isfinite(d) && d == std::floor(d)) {
    if (d < static_cast<double>(std::numeric_limits<T>::min()) || d > static_cast<double>(std::numeric_limits<T>::max()))
      value_error(ctx.origin, node, path, fmt::format("{} does not fit in this field", text));
    return static_cast<T>(d);
  }
  type_error(ctx.origin, node, path, type_name<T>());
}

double parse_number(const YAML::Node& node, const std::string& path, const BindContext& ctx);
bool parse_bool(const YAML::Node& node, const std::string& path, const BindContext& ctx);

template <class T>
void read_value(const YAML::Node& node, T& value, const std::string& path, const BindContext& ctx, const Check& check) {
  if constexpr (ConfigStruct<T>) {
    read_struct(node, value, path, ctx);
  } else if constexpr (is_optional<T>::value) {
    if (node.IsNull()) {
      value.reset();
    } else {
      typename is_optional<T>::element inner{};
      read_value(node, inner, path, ctx, check);
      value = std::move(inner);
    }
  } else if constexpr (is_vector<T>::value) {
    using E = typename is_vector<T>::element;
    if (node.IsNull()) {
      value.clear();
    } else {
      if (!node.IsSequence()) type_error(ctx.origin, node, path, type_name<T>(), "write a YAML list: [a, b] or '- a' lines");
      T out;
      out.reserve(node.size());
      for (size_t i = 0; i < node.size(); ++i) {
        E element{};
        Check element_check = check;
        element_check.is_nonempty = false;
        read_value(node[i], element, path + "." + std::to_string(i), ctx, element_check);
        out.push_back(std::move(element));
      }
      value = std::move(out);
    }
    if (check.is_nonempty && value.empty())
      value_error(ctx.origin, node, path, "the list is empty", "give at least one element");
  } else if constexpr (std::is_same_v<T, bool>) {
    value = parse_bool(node, path, ctx);
  } else if constexpr (ConfigEnum<T>) {
    if (!node.IsScalar()) type_error(ctx.origin, node, path, "one of: " + join(enum_names<T>(), ", "));
    auto parsed = enum_from_name<T>(node.Scalar());
    if (!parsed) {
      auto names = enum_names<T>();
      std::string guess = closest_match(node.Scalar(), names);
      value_error(ctx.origin, node, path, fmt::format("'{}' is not one of: {}", node.Scalar(), join(names, ", ")),
                  guess.empty() ? std::string{} : "did you mean '" + guess + "'?");
    }
    value = *parsed;
  } else if constexpr (std::is_integral_v<T>) {
    value = parse_integer<T>(node, path, ctx);
    if (auto bad = check.violation(static_cast<double>(value)))
      value_error(ctx.origin, node, path, fmt::format("{} is out of range: {}", value, *bad));
  } else if constexpr (std::is_floating_point_v<T>) {
    value = static_cast<T>(parse_number(node, path, ctx));
    if (auto bad = check.violation(static_cast<double>(value)))
      value_error(ctx.origin, node, path, fmt::format("{} is out of range: {}", value, *bad));
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!node.IsScalar()) type_error(ctx.origin, node, path, "string");
    value = node.Scalar();
    if (check.is_nonempty && value.empty()) value_error(ctx.origin, node, path, "the string is empty");
    if (!check.choices.empty()) {
      bool ok = false;
      for (const auto& c : check.choices) ok |= (c == value);
      if (!ok) {
        std::string guess = closest_match(value, check.choices);
        value_error(ctx.origin, node, path, fmt::format("'{}' is not one of: {}", value, join(check.choices, ", ")),
                    guess.empty() ? std::string{} : "did you mean '" + guess + "'?");
      }
    }
  } else {
    static_assert(sizeof(T) == 0, "unsupported config field type");
  }
}

}  // namespace dsmath::config
