#include "eval/suite.hpp"

#include <set>

#include <fmt/format.h>

#include "config/yaml_binder.hpp"
#include "core/error.hpp"
#include "core/timer.hpp"

namespace dsmath::eval {

namespace fs = std::filesystem;

std::vector<SuiteEntry> suite_entries(const std::vector<std::string>& configs, const std::string& suite_file) {
  std::vector<SuiteEntry> out;
  for (const auto& c : configs) out.push_back({fs::path(c).stem().string(), c});
  if (!suite_file.empty()) {
    if (!fs::exists(suite_file))
      fail_hint("give a YAML file 'benchmarks: [a.yaml, b.yaml]' (configs/eval/suites/)", "suite file '{}' does not exist",
                suite_file);
    const YAML::Node root = config::load_yaml_file(suite_file);
    const YAML::Node list = root.IsMap() ? root["benchmarks"] : YAML::Node();
    if (!list || !list.IsSequence() || list.size() == 0)
      fail_hint("write 'benchmarks:' followed by a list of eval config paths", "{}: no 'benchmarks' list", suite_file);
    for (const auto& item : list) {
      if (!item.IsScalar())
        fail_hint("each entry is a config path", "{}:{}: a 'benchmarks' entry is not a path", suite_file, item.Mark().line + 1);
      const fs::path path = fs::path(suite_file).parent_path() / item.as<std::string>();
      if (!fs::exists(path))
        fail_hint("paths in a suite file are relative to the suite file", "{}:{}: config '{}' does not exist", suite_file,
                  item.Mark().line + 1, path.string());
      out.push_back({path.stem().string(), path});
    }
  }
  if (out.empty()) out.push_back({"eval", ""});
  std::set<std::string> names;
  for (const auto& e : out)
    if (!names.insert(e.name).second)
      fail_hint("give each benchmark of a run a config file of its own name", "two benchmarks of this run are named '{}'",
                e.name);
  return out;
}

Json suite_summary_json(const std::vector<SuiteResult>& results, const Json& provenance, const std::string& started,
                        double seconds) {
  Json j = provenance.is_object() ? provenance : Json::object();
  j["started"] = started;
  j["finished"] = utc_timestamp();
  j["seconds"] = seconds;
  Json list = Json::array();
  for (const auto& r : results) {
    Json s = r.summary.to_json();
    Json item = {{"name", r.name}, {"dir", r.dir.filename().string()}};
    for (const char* key : {"benchmark", "prompt_format", "problems", "samples_per_problem", "metrics", "metrics_stderr",
                            "no_answer", "samples", "grading_policy"})
      if (s.contains(key)) item[key] = s[key];
    item["timing"] = r.timing;
    list.push_back(std::move(item));
  }
  j["benchmarks"] = std::move(list);
  return j;
}

std::string suite_table(const std::vector<SuiteResult>& results) {
  size_t width = 9;
  for (const auto& r : results) width = std::max(width, r.name.size());
  std::string out = fmt::format("{:<{}}  {:>14}  {}\n", "benchmark", width, "problems", "metrics (+- standard error)");
  for (const auto& r : results) {
    std::string metrics;
    for (size_t i = 0; i < r.summary.metrics.size(); ++i) {
      const auto& [name, value] = r.summary.metrics[i];
      metrics += fmt::format("{}{} {:.2f}%", metrics.empty() ? "" : "  ", name, 100.0 * value);
      if (i < r.summary.metric_stderr.size()) metrics += fmt::format(" +- {:.2f}", 100.0 * r.summary.metric_stderr[i].second);
    }
    const double no_answer = r.summary.samples ? static_cast<double>(r.summary.no_answer) / static_cast<double>(r.summary.samples) : 0.0;
    out += fmt::format("{:<{}}  {:>14}  {}  (no answer {:.1f}%)\n", r.name, width,
                       fmt::format("{} x {}", r.summary.problems, r.summary.samples_per_problem), metrics, 100.0 * no_answer);
  }
  return out;
}

}  // namespace dsmath::eval
