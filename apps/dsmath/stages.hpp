#pragma once
// The stage configs `dsmath config show|docs` knows. Each stage command adds its entry in
// stages.cpp, next to the others.
#include <functional>
#include <string>
#include <vector>

#include "config/load.hpp"

namespace dsmath::app {

struct StageEntry {
  std::string name;
  std::string summary;
  std::function<std::string(const config::ConfigSources&)> resolved_yaml;  // `config show`
  std::function<std::string()> reference_markdown;                         // `config docs`
};

const std::vector<StageEntry>& stage_entries();

template <class Config>
StageEntry make_stage_entry(std::string name, std::string summary);

}  // namespace dsmath::app
