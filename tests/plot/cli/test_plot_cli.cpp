// `dsmath plot` as the quickstart runs it.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/files.hpp"
#include "png_decode.hpp"
#include "test_util.hpp"

using namespace dsmath;

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("plot draws the chosen metrics of several runs and reports malformed lines") {
  const auto dir = test::temp_dir("plot-cli");
  write_text(dir / "a/metrics.jsonl", "{\"step\": 1, \"loss\": 3, \"lr\": 0.1}\n{\"step\": 2, \"loss\": 2, \"lr\": 0.1}\n");
  write_text(dir / "b/metrics.jsonl", "{\"step\": 1, \"loss\": 4}\noops\n{\"step\": 2, \"loss\": 1}\n");
  const auto p = test::run_dsmath("plot " + (dir / "a").string() + " " + (dir / "b").string() + " -o " +
                                  (dir / "plots").string() + " --metrics loss --width 500 --height 300");
  INFO(p.output);
  REQUIRE(p.exit_code == 0);
  CHECK_THAT(p.output, Catch::Contains("plot: 1 chart of 2 runs"));
  CHECK_THAT(p.output, Catch::Contains((dir / "b/metrics.jsonl").string() + ":2: malformed JSON"));
  const auto png = test::decode_png(read_file(dir / "plots/loss.png"));
  CHECK(png.width == 500);
  CHECK(png.height == 300);
  CHECK(!std::filesystem::exists(dir / "plots/lr.png"));
}

TEST_CASE("plot --bars writes the per-stage chart") {
  const auto dir = test::temp_dir("plot-cli-bars");
  write_text(dir / "results.jsonl",
             "{\"stage\": \"pretrain\", \"metric\": \"pass@1\", \"value\": 0.05}\n"
             "{\"stage\": \"sft\", \"metric\": \"pass@1\", \"value\": 0.3}\n"
             "{\"stage\": \"grpo\", \"metric\": \"pass@1\", \"value\": 0.4}\n");
  auto r = test::run_dsmath("plot --bars " + (dir / "results.jsonl").string() + " -o " + (dir / "plots").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("bar chart of 3 stages x 1 metric -> " + (dir / "plots/results.png").string()));
  CHECK(test::decode_png(read_file(dir / "plots/results.png")).width == 960);
  r = test::run_dsmath("plot --bars " + (dir / "results.jsonl").string() + " -o " + (dir / "acc.png").string() +
                       " --title 'Held-out accuracy'");
  REQUIRE(r.exit_code == 0);
  CHECK(std::filesystem::exists(dir / "acc.png"));
}

TEST_CASE("plot errors: a missing run directory, nothing to draw") {
  const auto dir = test::temp_dir("plot-cli-errors");
  auto r = test::run_dsmath("plot " + (dir / "missing").string() + " -o " + (dir / "plots").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("run directory '" + (dir / "missing").string() + "' does not exist"));
  CHECK_THAT(r.output, Catch::Contains("hint:"));
  r = test::run_dsmath("plot -o " + (dir / "plots").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("nothing to draw"));
}
