#pragma once
// Config struct -> YAML (what `dsmath config show` prints and what a run directory records),
// and the list of every dotted key (for "did you mean" on --set paths).
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include "config/schema.hpp"
#include "core/strings.hpp"

namespace dsmath::config {

template <class T>
YAML::Node value_to_yaml(const T& value);

class YamlWriter {
 public:
  template <class T>
  void operator()(std::string_view key, T& value, std::string_view, const Check& = {}) {
    node_[std::string(key)] = value_to_yaml(value);
  }
  YAML::Node node() const { return node_; }

 private:
  YAML::Node node_{YAML::NodeType::Map};
};

template <class T>
YAML::Node value_to_yaml(const T& value) {
  if constexpr (ConfigStruct<T>) {
    YamlWriter w;
    T copy = value;  // visit() is non-const because the same list also binds
    copy.visit(w);
    return w.node();
  } else if constexpr (is_optional<T>::value) {
    return value ? value_to_yaml(*value) : YAML::Node(YAML::NodeType::Null);
  } else if constexpr (is_vector<T>::value) {
    YAML::Node seq(YAML::NodeType::Sequence);
    for (const auto& e : value) seq.push_back(value_to_yaml(e));
    if constexpr (!ConfigStruct<typename is_vector<T>::element>) seq.SetStyle(YAML::EmitterStyle::Flow);
    return seq;
  } else if constexpr (ConfigEnum<T>) {
    return YAML::Node(std::string(enum_name(value)));
  } else if constexpr (std::is_floating_point_v<T>) {
    // shortest text that round-trips, so the printed config reloads to the same value
    return YAML::Node(fmt::format("{}", value));
  } else {
    return YAML::Node(value);
  }
}

template <ConfigStruct T>
std::string to_yaml_text(const T& value) {
  YAML::Emitter out;
  out << value_to_yaml(value);
  return std::string(out.c_str()) + "\n";
}

// Every dotted key of a struct, nested ones included ("optim.lr_peak", ...).
class PathCollector {
 public:
  explicit PathCollector(std::string prefix = {}) : prefix_(std::move(prefix)) {}
  template <class T>
  void operator()(std::string_view key, T& value, std::string_view, const Check& = {}) {
    std::string path = prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
    paths_.push_back(path);
    if constexpr (ConfigStruct<T>) {
      PathCollector sub(path);
      value.visit(sub);
      paths_.insert(paths_.end(), sub.paths_.begin(), sub.paths_.end());
    }
  }
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::string prefix_;
  std::vector<std::string> paths_;
};

template <ConfigStruct T>
std::vector<std::string> all_paths() {
  T value{};
  PathCollector c;
  value.visit(c);
  return c.paths();
}

}  // namespace dsmath::config
