#pragma once
// Config struct -> Markdown reference (docs/config.md is generated from the structs by
// `dsmath config docs`, so the documentation cannot drift from the code).
#include <string>

#include "config/yaml_writer.hpp"

namespace dsmath::config {

class DocWriter {
 public:
  explicit DocWriter(std::string prefix = {}) : prefix_(std::move(prefix)) {}

  template <class T>
  void operator()(std::string_view key, T& value, std::string_view doc, const Check& check = {}) {
    std::string path = prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
    if constexpr (ConfigStruct<T>) {
      DocWriter sub(path);
      value.visit(sub);
      rows_ += fmt::format("| `{}` | section | | | {} |\n", path, doc);
      rows_ += sub.rows_;
    } else {
      std::string allowed = check.describe();
      if constexpr (ConfigEnum<T>) allowed = join(enum_names<T>(), ", ");
      if constexpr (is_vector<T>::value) {
        if constexpr (ConfigStruct<typename is_vector<T>::element>) {
          using E = typename is_vector<T>::element;
          DocWriter sub(path + "[]");
          E element{};
          element.visit(sub);
          rows_ += fmt::format("| `{}` | {} | {} | {} | {} |\n", path, "list of mappings", default_text(value),
                               allowed, doc);
          rows_ += sub.rows_;
          return;
        }
      }
      std::string required = check.is_required ? "**required**" : default_text(value);
      rows_ += fmt::format("| `{}` | {} | {} | {} | {} |\n", path, type_name<T>(), required, allowed, doc);
    }
  }

  std::string table() const {
    return "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n" + rows_;
  }

 private:
  template <class T>
  static std::string default_text(const T& value) {
    YAML::Emitter out;
    out << YAML::Flow << value_to_yaml(value);
    std::string s = out.c_str();
    if (s.empty()) s = "\"\"";
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    // escape pipes so the Markdown table survives
    std::string escaped;
    for (char c : s) escaped += (c == '|') ? std::string("\\|") : std::string(1, c);
    return "`" + escaped + "`";
  }

  std::string prefix_;
  std::string rows_;
};

template <ConfigStruct T>
std::string markdown_reference() {
  T value{};
  DocWriter w;
  value.visit(w);
  return w.table();
}

}  // namespace dsmath::config
