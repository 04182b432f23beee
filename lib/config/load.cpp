#include "config/load.hpp"

namespace dsmath::config {

std::vector<Override> parse_overrides(const std::vector<std::string>& texts) {
  std::vector<Override> out;
  for (const auto& text : texts) {
    const std::string origin = "--set " + text;
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
      fail_hint("write --set key.path=VALUE, e.g. --set optim.lr_peak=3e-4", "{}: expected KEY=VALUE", origin);
    std::string path(trim(std::string_view(text).substr(0, eq)));
    std::string value_text = text.substr(eq + 1);
    YAML::Node value;
    try {
      value = YAML::Load(value_text);
    } catch (const YAML::ParserException& e) {
      throw Error(fmt::format("{}: VALUE is not valid YAML: {}", origin, e.msg),
                  "quote the value for the shell, e.g. --set 'data.sources=[{path: a, weight: 1}]'");
    }
    if (!value.IsDefined()) value = YAML::Node(YAML::NodeType::Null);
    out.push_back(Override{path, value, origin, false});
  }
  return out;
}

void check_overrides_used(const std::vector<Override>& overrides, const std::vector<std::string>& valid_paths) {
  for (const auto& ov : overrides) {
    if (ov.used) continue;
    // a path into a list element (data.sources.0.weight) that had no element to land in
    std::string guess = closest_match(ov.path, valid_paths);
    throw Error(fmt::format("{}: unknown key '{}'", ov.origin, ov.path),
                guess.empty() ? "run `dsmath config show --stage STAGE` to list the keys"
                              : fmt::format("did you mean '{}'?", guess));
  }
}

}  // namespace dsmath::config
