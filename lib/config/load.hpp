#pragma once
// Loading a stage config: the YAML file (optional: the struct defaults are a complete
// config), then the --set overrides in order, then validation. Unknown --set paths are
// errors with the closest valid path as a suggestion.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml_binder.hpp"
#include "config/yaml_writer.hpp"

namespace dsmath::config {

struct ConfigSources {
  std::optional<std::filesystem::path> file;  // --config
  std::vector<std::string> overrides;         // --set a.b.c=VALUE, in order
};

// "a.b=VALUE" -> Override (VALUE parsed as YAML: numbers, [lists], {maps}, strings).
std::vector<Override> parse_overrides(const std::vector<std::string>& texts);
void check_overrides_used(const std::vector<Override>& overrides, const std::vector<std::string>& valid_paths);

template <ConfigStruct T>
T load_config(const ConfigSources& sources) {
  std::vector<Override> overrides = parse_overrides(sources.overrides);
  YAML::Node root(YAML::NodeType::Map);
  Origin origin{"", "", std::filesystem::current_path()};
  if (sources.file) {
    root = load_yaml_file(*sources.file);
    origin = Origin{sources.file->string(), "", sources.file->parent_path()};
    if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
    if (!root.IsMap()) type_error(origin, root, "<top level>", "a mapping of config keys");
  }
  T value{};
  read_struct(root, value, "", BindContext{"", origin, &overrides});
  check_overrides_used(overrides, all_paths<T>());
  return value;
}

}  // namespace dsmath::config
