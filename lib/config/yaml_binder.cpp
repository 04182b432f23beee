#include "config/yaml_binder.hpp"

#include <map>

namespace dsmath::config {

std::string join_path(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string location(const Origin& origin, const YAML::Node& node) {
  if (!origin.override_text.empty()) return origin.override_text;
  if (origin.file.empty()) return "<config>";
  const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  if (mark.is_null()) return origin.file;
  return fmt::format("{}:{}:{}", origin.file, mark.line + 1, mark.column + 1);
}

YAML::Node load_yaml_file(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) fail_hint("check the --config path", "config file '{}' does not exist", path.string());
  try {
    return YAML::LoadFile(path.string());
  } catch (const YAML::ParserException& e) {
    throw Error(fmt::format("{}:{}:{}: malformed YAML: {}", path.string(), e.mark.line + 1, e.mark.column + 1, e.msg),
                "check indentation (spaces, not tabs), colons after keys, and matching brackets/quotes");
  } catch (const YAML::BadFile&) {
    fail("cannot read config file '{}'", path.string());
  }
}

std::string scalar_preview(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "?";
}

void type_error(const Origin& origin, const YAML::Node& node, const std::string& path, const std::string& expected,
                const std::string& hint) {
  throw Error(fmt::format("{}: {}: expected {}, got {}", location(origin, node), path, expected, scalar_preview(node)),
              hint);
}

void value_error(const Origin& origin, const YAML::Node& node, const std::string& path, const std::string& problem,
                 const std::string& hint) {
  throw Error(fmt::format("{}: {}: {}", location(origin, node), path, problem), hint);
}

double parse_number(const YAML::Node& node, const std::string& path, const BindContext& ctx) {
  if (!node.IsScalar()) type_error(ctx.origin, node, path, "number");
  const std::string text(trim(node.Scalar()));
  double d = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) type_error(ctx.origin, node, path, "number");
  if (!std::isfinite(d)) value_error(ctx.origin, node, path, fmt::format("{} is not a finite number", text));
  return d;
}

bool parse_bool(const YAML::Node& node, const std::string& path, const BindContext& ctx) {
  if (!node.IsScalar()) type_error(ctx.origin, node, path, "boolean");
  const std::string& s = node.Scalar();
  if (s == "true" || s == "True" || s == "TRUE" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "no" || s == "off") return false;
  type_error(ctx.origin, node, path, "boolean", "use true or false");
}

void Binder::check_keys(const YAML::Node& node, const BindContext& ctx, const std::vector<std::string>& known) {
  if (!node.IsMap()) return;
  std::map<std::string, int> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node& key_node = it->first;
    if (!key_node.IsScalar()) type_error(ctx.origin, key_node, ctx.prefix, "string keys");
    const std::string key = key_node.Scalar();
    const std::string path = join_path(ctx.prefix, key);
    if (++seen[key] > 1)
      throw Error(fmt::format("{}: key '{}' appears more than once", location(ctx.origin, key_node), path),
                  "keep one of them");
    bool is_known = false;
    for (const auto& k : known) is_known |= (k == key);
    if (is_known) continue;
    std::string guess = closest_match(key, known);
    std::string hint = guess.empty() ? fmt::format("valid keys here: {}", join(known, ", "))
                                     : fmt::format("did you mean '{}'? valid keys here: {}", guess, join(known, ", "));
    throw Error(fmt::format("{}: unknown key '{}'", location(ctx.origin, key_node), path), hint);
  }
}

}  // namespace dsmath::config
