// `dsmath data synth` run as the quickstart runs it, and its files fed to the stages that read
// them: dedup finds the copies, eval grades the held-out references 100%.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "core/files.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "test_util.hpp"

using namespace dsmath;

namespace {

size_t count_lines(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

const std::string kSmall = " --pages 300 --seed-pages 30 --extra-docs 10 --problems sft=60,rl=20 --problems heldout=25";

}  // namespace

TEST_CASE("data synth writes every file and one summary line per file") {
  const auto dir = test::temp_dir("synth-cli");
  const auto r = test::run_dsmath("data synth -o " + (dir / "world").string() + " --seed 3" + kSmall);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  size_t summary_lines = 0;
  for (const auto& line : split(r.output, '\n')) summary_lines += line.starts_with("synth: ");
  CHECK(summary_lines == 8);
  CHECK_THAT(r.output, Catch::Contains("web.jsonl 300 records"));
  CHECK_THAT(r.output, Catch::Contains("heldout.jsonl 25 records"));
  CHECK(count_lines(dir / "world/web.jsonl") == 300);
  CHECK(count_lines(dir / "world/web_labels.jsonl") == 300);
  CHECK(count_lines(dir / "world/seed_math.jsonl") == 30);
  CHECK(count_lines(dir / "world/pretrain_extra.jsonl") == 10);
  CHECK(count_lines(dir / "world/sft.jsonl") == 60);
  CHECK(count_lines(dir / "world/rl.jsonl") == 20);
  CHECK(count_lines(dir / "world/heldout.jsonl") == 25);
  CHECK(std::filesystem::exists(dir / "world/prompts.json"));

  // the same command again gives the same bytes
  const auto again = test::run_dsmath("data synth -o " + (dir / "again").string() + " --seed 3" + kSmall);
  REQUIRE(again.exit_code == 0);
  CHECK(read_file(dir / "world/web.jsonl") == read_file(dir / "again/web.jsonl"));
  CHECK(read_file(dir / "world/sft.jsonl") == read_file(dir / "again/sft.jsonl"));
}

TEST_CASE("data synth output feeds dedup and eval grade") {
  const auto dir = test::temp_dir("synth-cli-stages");
  REQUIRE(test::run_dsmath("data synth -o " + dir.string() + " --duplicate-fraction 0.1" + kSmall).exit_code == 0);
  size_t url_copies = 0, near_copies = 0;
  for (const auto& line : split(read_file(dir / "web_labels.jsonl"), '\n')) {
    if (line.empty()) continue;
    const Json label = Json::parse(line);
    url_copies += label["copy_kind"] == "url";
    near_copies += label["copy_kind"] == "near";
  }
  REQUIRE(url_copies + near_copies == 30);
  const auto dedup = test::run_dsmath("data dedup " + (dir / "web.jsonl").string() + " -o " +
                                      (dir / "deduped.jsonl").string() + " --threads 1");
  INFO(dedup.output);
  REQUIRE(dedup.exit_code == 0);
  CHECK_THAT(dedup.output, Catch::Contains(fmt::format("{} URL duplicates", url_copies)));
  // near copies are at Jaccard >= 0.8 (found with probability >= 0.92 each); originals below 0.5
  const size_t kept = count_lines(dir / "deduped.jsonl");
  CHECK(kept <= 300 - url_copies - near_copies * 8 / 10);
  CHECK(kept >= 300 - url_copies - near_copies - 3);

  // the held-out reference solutions, graded as completions, are 100% correct
  const auto grade = test::run_dsmath("eval grade -i " + (dir / "heldout.jsonl").string() + " -o " +
                                      (dir / "graded.jsonl").string() + " --benchmark gsm8k --completion-field answer");
  INFO(grade.output);
  REQUIRE(grade.exit_code == 0);
  size_t correct = 0;
  for (const auto& line : split(read_file(dir / "graded.jsonl"), '\n'))
    if (!line.empty()) correct += Json::parse(line)["correct"] == true;
  CHECK(correct == 25);
}

TEST_CASE("data synth rejects bad options with a hint") {
  const auto dir = test::temp_dir("synth-cli-bad");
  auto r = test::run_dsmath("data synth -o " + dir.string() + " --problems sft=lots");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("--problems: 'lots' is not a count"));
  CHECK_THAT(r.output, Catch::Contains("hint:"));
  r = test::run_dsmath("data synth -o " + dir.string() + " --problems train=5");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("FILE sft, rl or heldout"));
  r = test::run_dsmath("data synth -o " + dir.string() + " --max-steps 5");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("--max-steps"));
  CHECK(!std::filesystem::exists(dir / "web.jsonl"));
}
