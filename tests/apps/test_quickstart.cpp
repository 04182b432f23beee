// The README's first command, reduced: every stage runs and leaves its outputs, held-out
// accuracy after SFT and after GRPO is above accuracy after pretraining, GRPO does not lose
// what SFT gained, and the script's verdict on GRPO against SFT is the one the summaries give.
// The reduced run (40 GRPO steps, 400 held-out problems x 8 samples) measured GRPO +4.9, +4.8,
// +0.2, +2.1, +8.2 and +3.2 points over SFT with --seed 1 to 6 (docs/rl.md): GRPO > SFT is not a margin to
// require of one run, but a loss of more than 3 points (the old settings lost 5) is a
// regression; the stderr of the difference is about 2 points.
#include <catch2/catch.hpp>

#include "core/files.hpp"
#include "core/json.hpp"
#include "test_util.hpp"

using namespace dsmath;

TEST_CASE("the reduced quickstart runs every stage and accuracy rises", "[cli][quickstart]") {
  const auto dir = test::temp_dir("quickstart");
  const auto r = test::run_command("cd " + test::source_dir().string() + " && DSMATH=" + DSMATH_BINARY +
                                   " scripts/quickstart.sh --no-build --reduced --threads 2 --out " + dir.string());
  INFO(r.output.substr(r.output.size() > 4000 ? r.output.size() - 4000 : 0));
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"data/heldout.jsonl", "select/corpus.jsonl", "tokenizer/tokenizer.json", "shards/math/shard-00000.bin",
                        "pretrain/checkpoints/latest", "sft/checkpoints/latest", "grpo/checkpoints/latest",
                        "eval/pretrain/summary.json", "eval/sft/summary.json", "eval/grpo/summary.json",
                        "plots/accuracy.png", "plots/loss.png", "plots/grpo/reward_mean.png", "times.tsv"})
    CHECK(fs::exists(dir / f));
  auto pass1 = [&](const char* stage) {
    return Json::parse(read_file(dir / "eval" / stage / "summary.json"))["metrics"]["pass@1"].get<double>();
  };
  const double pretrain = pass1("pretrain"), sft = pass1("sft"), grpo = pass1("grpo");
  WARN("held-out pass@1: pretrain " << pretrain << ", SFT " << sft << ", GRPO " << grpo);
  CHECK(grpo > pretrain);
  CHECK(sft > pretrain);
  CHECK(grpo > sft - 0.03);
  if (grpo > sft)
    CHECK(r.output.find("pretrain < SFT < GRPO") != std::string::npos);
  else
    CHECK(r.output.find("GRPO did not beat SFT") != std::string::npos);
  // a second run finds every stage done and only redraws the table
  const auto again = test::run_command("cd " + test::source_dir().string() + " && DSMATH=" + DSMATH_BINARY +
                                       " scripts/quickstart.sh --no-build --reduced --out " + dir.string());
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("== grpo: done already") != std::string::npos);
}
