// Charts and the plot command's library side: series land at their data coordinates, bars
// reach their values, metrics.jsonl lines that are malformed are skipped with file:line
// warnings, and missing inputs are clear errors.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "plot/charts.hpp"
#include "plot/plot_runs.hpp"
#include "plot/run_metrics.hpp"
#include "png_decode.hpp"
#include "stderr_capture.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::plot;

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

Color pixel_at(const Chart& chart, Point data) {
  const Point p = chart.area.to_pixel(data.x, data.y);
  return chart.image.at(static_cast<int>(p.x), static_cast<int>(p.y));
}

}  // namespace

TEST_CASE("line chart: each series is drawn through its points in its own color") {
  LineChartSpec spec;
  spec.text = {"loss", "step", "loss"};
  spec.series.push_back({"a", {{0, 4}, {100, 2}}});       // a straight line
  spec.series.push_back({"b", {{0, 1}, {50, 1}, {100, 1}}});  // a constant
  const Chart chart = render_line_chart(spec);
  CHECK(chart.image.width() == 960);
  CHECK(chart.area.x_min <= 0);
  CHECK(chart.area.x_max >= 100);
  CHECK(chart.area.y_min <= 1);
  CHECK(chart.area.y_max >= 4);
  // points along both lines, away from the legend
  for (double x : {10.0, 25.0, 40.0, 55.0}) {
    INFO(x);
    CHECK(pixel_at(chart, {x, 4 - 2 * x / 100}) == series_color(0));
    CHECK(pixel_at(chart, {x, 1}) == series_color(1));
  }
  // between the lines there is no series color
  CHECK(pixel_at(chart, {30, 2.2}) != series_color(0));
  CHECK(pixel_at(chart, {30, 2.2}) != series_color(1));
}

TEST_CASE("line chart: a non-finite value breaks the line") {
  LineChartSpec spec;
  spec.series.push_back({"a", {{0, 1}, {10, 1}, {20, std::nan("")}, {30, 1}, {40, 1}}});
  const Chart chart = render_line_chart(spec);
  CHECK(pixel_at(chart, {5, 1}) == series_color(0));
  CHECK(pixel_at(chart, {35, 1}) == series_color(0));
  CHECK(pixel_at(chart, {20, 1}) != series_color(0));  // the gap
}

TEST_CASE("bar chart: each bar reaches its value") {
  BarChartSpec spec;
  spec.text = {"accuracy", "stage", "value"};
  spec.groups = {"pretrain", "sft", "grpo"};
  spec.series = {"pass@1", "maj@8"};
  spec.values = {{0.1, 0.15}, {0.3, std::nan("")}, {0.5, 0.6}};
  const Chart chart = render_bar_chart(spec);
  // bar s of group g spans x in [g - 0.4 + 0.4 s, g + 0.4 s]: its middle, half way up
  for (size_t g = 0; g < 3; ++g)
    for (size_t s = 0; s < 2; ++s) {
      const double v = spec.values[g][s];
      const Point mid{static_cast<double>(g) - 0.2 + 0.4 * static_cast<double>(s), std::isnan(v) ? 0.2 : v / 2};
      INFO(g << " " << s);
      if (std::isnan(v)) CHECK(pixel_at(chart, mid) != series_color(s));
      else CHECK(pixel_at(chart, mid) == series_color(s));
    }
  // just above a bar's top is background or its label, never the bar
  CHECK(pixel_at(chart, {-0.2, 0.1 + 0.5 * (chart.area.y_max - chart.area.y_min) / 100}) != series_color(0));
}

TEST_CASE("metrics.jsonl: numeric keys become series; malformed lines are skipped with file:line") {
  const auto dir = test::temp_dir("plot-metrics");
  write_text(dir / "run/metrics.jsonl",
             "{\"step\": 1, \"loss\": 5.0, \"lr\": 0.001, \"skipped\": false, \"time\": \"t\"}\n"
             "{\"step\": 2, \"loss\": 4.0, \"lr\": 0.002\n"           // cut short
             "\n"
             "[1, 2]\n"                                                 // not an object
             "{\"loss\": 3.5}\n"                                        // no step
             "{\"step\": 3, \"loss\": 3.0, \"lr\": 0.002, \"kl\": 0.1}\n");
  test::StderrCapture capture(dir / "stderr.txt");
  const RunMetrics m = read_run_metrics(dir / "run");
  // the metrics file may also be named directly
  CHECK(read_run_metrics(dir / "run/metrics.jsonl").series.at("lr").size() == 2);
  const std::string warnings = capture.text();
  CHECK(m.lines == 5);
  CHECK(m.malformed == 3);
  CHECK(m.metric_names == std::vector<std::string>{"loss", "lr", "kl"});
  REQUIRE(m.series.at("loss").size() == 2);
  CHECK(m.series.at("loss")[1].x == 3);
  CHECK(m.series.at("loss")[1].y == 3.0);
  CHECK(m.series.at("kl").size() == 1);
  const std::string file = (dir / "run/metrics.jsonl").string();
  CHECK_THAT(warnings, Catch::Contains(file + ":2: malformed JSON"));
  CHECK_THAT(warnings, Catch::Contains(file + ":4: expected a JSON object"));
  CHECK_THAT(warnings, Catch::Contains(file + ":5: no numeric \"step\"; line skipped"));
}

TEST_CASE("missing run directories and metrics are clear errors") {
  const auto dir = test::temp_dir("plot-missing");
  CHECK_THROWS_WITH(read_run_metrics(dir / "nope"), Catch::Contains("run directory '" + (dir / "nope").string() + "' does not exist"));
  std::filesystem::create_directories(dir / "empty-run");
  CHECK_THROWS_WITH(read_run_metrics(dir / "empty-run"), Catch::Contains("has no metrics.jsonl"));
  write_text(dir / "run/metrics.jsonl", "{\"step\": 1, \"loss\": 2.0}\n");
  try {
    plot_runs({dir / "run"}, dir / "out", PlotOptions{{"los"}, 960, 600});
    FAIL("no error for an unknown metric");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("metric 'los' is in none of the runs"));
    CHECK(e.hint() == "did you mean 'loss'?");
  }
  CHECK(!std::filesystem::exists(dir / "out"));
}

TEST_CASE("plot_runs writes one readable PNG per metric with every run that has it") {
  const auto dir = test::temp_dir("plot-runs");
  std::string a, b;
  for (int s = 1; s <= 30; ++s) {
    a += fmt::format("{{\"step\": {}, \"loss\": {}, \"lr\": 0.001}}\n", s, 5.0 / s);
    b += fmt::format("{{\"step\": {}, \"loss\": {}, \"reward_mean\": {}}}\n", s, 4.0 / s, 0.01 * s);
  }
  write_text(dir / "sft/metrics.jsonl", a);
  write_text(dir / "grpo/metrics.jsonl", b);
  const auto files = plot_runs({dir / "sft", dir / "grpo"}, dir / "plots", PlotOptions{{}, 640, 400});
  REQUIRE(files.size() == 3);
  CHECK(files[0].metric == "loss");
  CHECK(files[0].runs == 2);
  CHECK(files[1].metric == "lr");
  CHECK(files[1].runs == 1);
  CHECK(files[2].metric == "reward_mean");
  for (const auto& f : files) {
    const auto png = test::decode_png(read_file(f.path));
    CHECK(png.width == 640);
    CHECK(png.height == 400);
  }
  CHECK(file_name_for("pass@1/maj") == "pass_1_maj");
}

TEST_CASE("stage values: JSONL or a JSON array; bad records name file:line") {
  const auto dir = test::temp_dir("plot-bars");
  write_text(dir / "r.jsonl",
             "{\"stage\": \"pretrain\", \"metric\": \"pass@1\", \"value\": 0.05}\n"
             "{\"stage\": \"sft\", \"metric\": \"pass@1\", \"value\": 0.3}\n");
  const auto values = read_stage_values(dir / "r.jsonl");
  REQUIRE(values.size() == 2);
  CHECK(values[1].stage == "sft");
  CHECK(values[1].value == 0.3);
  write_text(dir / "r.json", R"([{"stage": "a", "metric": "m", "value": 1}, {"stage": "b", "metric": "m", "value": 2}])");
  CHECK(read_stage_values(dir / "r.json").size() == 2);

  write_text(dir / "bad.jsonl", "{\"stage\": \"a\", \"metric\": \"m\", \"value\": 1}\n{\"stage\": \"b\", \"metric\": \"m\"}\n");
  CHECK_THROWS_WITH(read_stage_values(dir / "bad.jsonl"), Catch::Contains("bad.jsonl:2: no numeric \"value\""));
  write_text(dir / "twice.jsonl",
             "{\"stage\": \"a\", \"metric\": \"m\", \"value\": 1}\n{\"stage\": \"a\", \"metric\": \"m\", \"value\": 2}\n");
  CHECK_THROWS_WITH(read_stage_values(dir / "twice.jsonl"), Catch::Contains("twice.jsonl:2: stage 'a' metric 'm' was already given at"));
  CHECK_THROWS_WITH(read_stage_values(dir / "none.jsonl"), Catch::Contains("does not exist"));

  const auto r = plot_stage_bars(values, dir / "out/bars.png", "accuracy", 640, 400);
  CHECK(r.stages == 2);
  CHECK(r.metrics == 1);
  CHECK(test::decode_png(read_file(dir / "out/bars.png")).width == 640);
}
