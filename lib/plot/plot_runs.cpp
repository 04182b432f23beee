#include "plot/plot_runs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "data/jsonl.hpp"
#include "plot/charts.hpp"
#include "plot/png.hpp"
#include "plot/run_metrics.hpp"

namespace dsmath::plot {

std::string file_name_for(const std::string& metric) {
  std::string out;
  for (char c : metric) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    out += keep ? c : '_';
  }
  return out.empty() || out[0] == '.' ? "_" + out : out;
}

std::vector<PlottedFile> plot_runs(const std::vector<std::filesystem::path>& runs, const std::filesystem::path& out_dir,
                                   const PlotOptions& options) {
  if (runs.empty()) fail_hint("name one or more run directories", "nothing to plot: no run directories given");
  std::vector<RunMetrics> metrics;
  for (const auto& run : runs) metrics.push_back(read_run_metrics(run));

  std::vector<std::string> available;
  for (const auto& m : metrics)
    for (const auto& name : m.metric_names)
      if (std::find(available.begin(), available.end(), name) == available.end()) available.push_back(name);
  std::vector<std::string> chosen = options.metrics.empty() ? available : options.metrics;
  for (const auto& name : chosen) {
    if (std::find(available.begin(), available.end(), name) != available.end()) continue;
    if (available.empty())
      fail_hint("check that the runs have trained at least one step", "metric '{}': the runs have no metrics at all",
                name);
    const std::string guess = closest_match(name, available);
    fail_hint(guess.empty() ? "the runs have: " + join(available, ", ") : "did you mean '" + guess + "'?",
              "metric '{}' is in none of the runs' metrics.jsonl", name);
  }
  if (chosen.empty()) fail_hint("check that the runs have trained at least one step", "the runs have no metrics to plot");

  make_directories(out_dir);
  std::vector<PlottedFile> out;
  for (const auto& metric : chosen) {
    LineChartSpec spec;
    spec.width = options.width;
    spec.height = options.height;
    spec.text = {metric, "step", metric};
    PlottedFile file{out_dir / (file_name_for(metric) + ".png"), metric, 0};
    for (const auto& run : metrics) {
      const auto it = run.series.find(metric);
      if (it == run.series.end()) continue;
      spec.series.push_back({run.name, it->second});
      ++file.runs;
    }
    write_png(file.path, render_line_chart(spec).image);
    out.push_back(std::move(file));
  }
  return out;
}

std::vector<StageValue> read_stage_values(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file))
    fail_hint("write one {\"stage\", \"metric\", \"value\"} object per line", "bar chart input '{}' does not exist",
              file.string());
  // (record, where) pairs from a JSON array or from JSONL
  std::vector<std::pair<Json, std::string>> records;
  const std::string text = read_file(file);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    Json doc;
    try {
      doc = Json::parse(text);
    } catch (const Json::parse_error& e) {
      fail_hint("the file must be a JSON array of objects, or one object per line", "{}: malformed JSON: {}",
                file.string(), e.what());
    }
    for (size_t i = 0; i < doc.size(); ++i) records.emplace_back(doc[i], fmt::format("{}: element {}", file.string(), i));
  } else {
    LineReader reader(file);
    std::string line;
    while (reader.next(line))
      if (line.find_first_not_of(" \t\r") != std::string::npos)
        records.emplace_back(parse_json_object(line, reader.where()), reader.where());
  }
  std::vector<StageValue> out;
  std::map<std::pair<std::string, std::string>, std::string> seen;
  for (const auto& [record, where] : records) {
    const char* hint = "each record is {\"stage\": \"sft\", \"metric\": \"pass@1\", \"value\": 0.42}";
    if (!record.is_object()) fail_hint(hint, "{}: expected an object, got {}", where, record.type_name());
    for (const char* key : {"stage", "metric"})
      if (!record.contains(key) || !record[key].is_string())
        fail_hint(hint, "{}: no string \"{}\"", where, key);
    if (!record.contains("value") || !record["value"].is_number())
      fail_hint(hint, "{}: no numeric \"value\"", where);
    StageValue v{record["stage"], record["metric"], record["value"].get<double>()};
    const auto [it, inserted] = seen.emplace(std::make_pair(v.stage, v.metric), where);
    if (!inserted)
      fail_hint("give each (stage, metric) once", "{}: stage '{}' metric '{}' was already given at {}", where, v.stage,
                v.metric, it->second);
    out.push_back(std::move(v));
  }
  if (out.empty()) fail_hint("write one {\"stage\", \"metric\", \"value\"} object per line", "{}: no records", file.string());
  return out;
}

BarsResult plot_stage_bars(const std::vector<StageValue>& values, const std::filesystem::path& output_png,
                           const std::string& title, int width, int height) {
  BarChartSpec spec;
  spec.width = width;
  spec.height = height;
  auto index_of = [](std::vector<std::string>& names, const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) return static_cast<size_t>(it - names.begin());
    names.push_back(name);
    return names.size() - 1;
  };
  for (const auto& v : values) {
    index_of(spec.groups, v.stage);
    index_of(spec.series, v.metric);
  }
  spec.values.assign(spec.groups.size(), std::vector<double>(spec.series.size(), std::numeric_limits<double>::quiet_NaN()));
  for (const auto& v : values) spec.values[index_of(spec.groups, v.stage)][index_of(spec.series, v.metric)] = v.value;
  spec.text = {title, "stage", spec.series.size() == 1 ? spec.series[0] : "value"};
  if (output_png.has_parent_path()) make_directories(output_png.parent_path());
  write_png(output_png, render_bar_chart(spec).image);
  return {spec.groups.size(), spec.series.size()};
}

}  // namespace dsmath::plot
