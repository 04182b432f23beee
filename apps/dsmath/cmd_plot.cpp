// dsmath plot: training curves and per-stage results as PNG charts (docs/plots.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "plot/plot_runs.hpp"

namespace dsmath::app {

namespace {

struct PlotCommandOptions {
  std::vector<std::string> runs;
  std::string output;
  std::vector<std::string> metrics;
  std::string bars;
  std::string title;
  int width = 960, height = 600;
};

}  // namespace

void register_plot_command(CLI::App& app) {
  auto o = std::make_shared<PlotCommandOptions>();
  auto* cmd = app.add_subcommand("plot", "draw metrics.jsonl curves of runs (one PNG per metric) or per-stage bars");
  cmd->add_option("runs", o->runs, "run directories (or metrics.jsonl files); the runs are overlaid");
  cmd->add_option("-o,--output", o->output,
                  "output directory (one <metric>.png each); with only --bars, a .png path is also accepted")
      ->required();
  cmd->add_option("-m,--metrics", o->metrics, "metrics to draw, e.g. loss,lr (default: every numeric key)")
      ->delimiter(',');
  cmd->add_option("--bars", o->bars, "JSONL (or JSON array) of {stage, metric, value}: a grouped bar chart");
  cmd->add_option("--title", o->title, "bar chart title (default: the --bars file name)");
  cmd->add_option("--width", o->width, "image width in pixels")->check(CLI::Range(200, 8000))->capture_default_str();
  cmd->add_option("--height", o->height, "image height in pixels")->check(CLI::Range(150, 8000))->capture_default_str();
  cmd->callback([o] {
    if (o->runs.empty() && o->bars.empty())
      fail_hint("dsmath plot runs/sft runs/grpo -o plots/   or   dsmath plot --bars results.jsonl -o plots/",
                "plot: nothing to draw: give run directories, --bars FILE, or both");
    const std::filesystem::path output(o->output);
    const bool output_is_png = output.extension() == ".png";
    if (output_is_png && !o->runs.empty())
      fail_hint("name a directory: each metric gets its own <metric>.png there",
                "plot: --output '{}' is a .png file, but run curves need a directory", o->output);
    if (!o->runs.empty()) {
      plot::PlotOptions options{o->metrics, o->width, o->height};
      const auto files = plot::plot_runs(std::vector<std::filesystem::path>(o->runs.begin(), o->runs.end()), output,
                                         options);
      std::vector<std::string> names;
      for (const auto& f : files) names.push_back(f.path.filename().string());
      fmt::print("plot: {} chart{} of {} run{} -> {} ({})\n", files.size(), files.size() == 1 ? "" : "s",
                 o->runs.size(), o->runs.size() == 1 ? "" : "s", o->output, join(names, ", "));
    }
    if (!o->bars.empty()) {
      const std::filesystem::path input(o->bars);
      const auto png = output_is_png ? output : output / (input.stem().string() + ".png");
      const auto values = plot::read_stage_values(input);
      const auto r = plot::plot_stage_bars(values, png, o->title.empty() ? input.stem().string() : o->title, o->width,
                                           o->height);
      fmt::print("plot: bar chart of {} stage{} x {} metric{} -> {}\n", r.stages, r.stages == 1 ? "" : "s", r.metrics,
                 r.metrics == 1 ? "" : "s", png.string());
    }
  });
}

}  // namespace dsmath::app
