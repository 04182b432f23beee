#pragma once
// `dsmath plot`: one PNG per metric with the runs overlaid (x = step), and the bar chart of
// evaluation results per stage that the quickstart draws (docs/plots.md).
#include <filesystem>
#include <string>
#include <vector>

namespace dsmath::plot {

struct PlotOptions {
  std::vector<std::string> metrics;  // empty: every numeric metric any run has
  int width = 960, height = 600;
};

struct PlottedFile {
  std::filesystem::path path;
  std::string metric;
  size_t runs = 0;  // runs that have the metric
};

// Reads every run's metrics.jsonl and writes <out_dir>/<metric>.png for each metric. A metric
// asked for that no run has is an error naming the ones there are.
std::vector<PlottedFile> plot_runs(const std::vector<std::filesystem::path>& runs, const std::filesystem::path& out_dir,
                                   const PlotOptions& options);

// One bar per (stage, metric): stages along x in order of first appearance, metrics side by
// side in each stage.
struct StageValue {
  std::string stage;
  std::string metric;
  double value = 0;
};

// `file` holds {"stage", "metric", "value"} objects: one per line (JSONL), or a JSON array of
// them. A record without them, a non-numeric value or a (stage, metric) given twice is an
// error naming file:line (the chart would otherwise silently show something else).
std::vector<StageValue> read_stage_values(const std::filesystem::path& file);

struct BarsResult {
  size_t stages = 0, metrics = 0;
};
BarsResult plot_stage_bars(const std::vector<StageValue>& values, const std::filesystem::path& output_png,
                           const std::string& title, int width, int height);

// A metric name as a file name: letters, digits, '.', '_' and '-' kept, the rest '_'.
std::string file_name_for(const std::string& metric);

}  // namespace dsmath::plot
