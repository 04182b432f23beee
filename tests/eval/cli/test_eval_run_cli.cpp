// `dsmath eval run` end to end on a tiny random model: several benchmarks in one run with a
// combined summary, per-sample finish reasons and token counts, and a run killed part-way
// that --resume completes with exactly the samples an uninterrupted run draws.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/files.hpp"
#include "core/json.hpp"
#include "sft_fixture.hpp"
#include "test_util.hpp"

using namespace dsmath;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

void write_problems(const fs::path& path, int n, uint64_t seed) {
  Rng rng(seed);
  std::ofstream out(path);
  for (int i = 0; i < n; ++i) {
    auto [q, a] = test::arithmetic_pair(rng);
    out << Json{{"question", q}, {"answer", a + " #### " + a.substr(a.rfind(' ') + 1, a.size() - a.rfind(' ') - 2)}}.dump() << "\n";
  }
}

std::vector<std::string> lines_of(const fs::path& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("eval run: two benchmarks in one run, combined summary, resume after a kill") {
  const fs::path dir = test::temp_dir("eval-run-suite");
  const auto tok = test::tiny_tokenizer(dir);
  const auto model = test::tiny_base_model(dir, tok, 32);
  write_problems(dir / "sampled.jsonl", 40, 3);
  write_problems(dir / "greedy.jsonl", 10, 4);
  // 40 problems x 16 samples: the run is generated in chunks of 512 / 16 = 32 problems
  std::ofstream(dir / "sampled.yaml") << "benchmark: gsm8k\ndata: " << (dir / "sampled.jsonl").string() << "\n"
                                      << "prompt: {kind: chat, chat_template: \"User: {question}\\n\\nAssistant:\"}\n"
                                      << "n_samples: 16\nsampling: {temperature: 1.0, max_new_tokens: 5, seed: 9}\n"
                                      << "pass_k: [1, 16]\nmaj_k: [16]\nprompt_in_every_sample: false\n";
  std::ofstream(dir / "greedy.yaml") << "benchmark: gsm8k\ndata: " << (dir / "greedy.jsonl").string() << "\n"
                                     << "prompt: {kind: chat, chat_template: \"User: {question}\\n\\nAssistant:\"}\n"
                                     << "sampling: {temperature: 0, max_new_tokens: 5}\n";
  const std::string run = "eval run -c " + (dir / "sampled.yaml").string() + " -c " + (dir / "greedy.yaml").string() +
                          " -m " + model.string() + " --threads 1 --batch 64 -o ";
  auto first = test::run_dsmath(run + (dir / "full").string());
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.output, Contains("sampled") && Contains("greedy") && Contains("metrics (+- standard error)"));
  const Json combined = Json::parse(read_file(dir / "full/summary.json"));
  REQUIRE(combined["benchmarks"].size() == 2);
  CHECK(combined["benchmarks"][0]["name"] == "sampled");
  CHECK(combined["benchmarks"][0]["problems"] == 40);
  CHECK(combined["benchmarks"][1]["samples_per_problem"] == 1);
  for (const char* key : {"dsmath_version", "commit", "started", "finished", "seconds", "model"}) CHECK(combined.contains(key));
  const Json sampled = Json::parse(read_file(dir / "full/sampled/summary.json"));
  for (const char* key : {"dsmath_version", "commit", "started", "finished", "timing", "metrics_stderr", "grading_policy"})
    CHECK(sampled.contains(key));
  CHECK(sampled["timing"]["samples_generated"] == 640);
  CHECK(sampled["metrics_stderr"].contains("pass@16"));
  const auto full = lines_of(dir / "full/sampled/samples.jsonl");
  REQUIRE(full.size() == 640);
  const Json line0 = Json::parse(full[0]);
  CHECK(line0.contains("prompt"));
  CHECK(line0["generated_tokens"].get<int>() >= 1);
  CHECK(line0["generated_tokens"].get<int>() <= 5);
  CHECK((line0["finish_reason"] == "eos" || line0["finish_reason"] == "length"));
  CHECK_FALSE(Json::parse(full[1]).contains("prompt"));  // prompt_in_every_sample: false

  // without --resume an existing results directory is refused
  auto again = test::run_dsmath(run + (dir / "full").string());
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.output, Contains("already holds evaluation results") && Contains("--resume"));

  // a run killed in its second chunk of "sampled": chunk 0 written (32 problems), 20 samples of
  // chunk 1, the last line cut mid-way; "greedy" never started
  const fs::path killed = dir / "killed";
  fs::create_directories(killed / "sampled");
  fs::copy_file(dir / "full/sampled/run.json", killed / "sampled/run.json");
  {
    std::ofstream out(killed / "sampled/samples.jsonl");
    for (size_t i = 0; i < 32 * 16 + 20; ++i) out << full[i] << "\n";
    out << full[32 * 16 + 20].substr(0, 40);
  }
  auto resumed = test::run_dsmath(run + killed.string() + " --resume");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Contains("resuming, 32 of 40 problems already done"));
  CHECK(lines_of(killed / "sampled/samples.jsonl") == full);  // the very samples of the uninterrupted run
  CHECK(lines_of(killed / "greedy/samples.jsonl") == lines_of(dir / "full/greedy/samples.jsonl"));
  const Json after = Json::parse(read_file(killed / "sampled/summary.json"));
  CHECK(after["metrics"] == sampled["metrics"]);
  CHECK(after["timing"]["problems_resumed"] == 32);
  CHECK(after["timing"]["samples_generated"] == 8 * 16);
  // resuming a finished run generates nothing
  auto done = test::run_dsmath(run + killed.string() + " --resume");
  REQUIRE(done.exit_code == 0);
  CHECK_THAT(done.output, Contains("already finished"));
  // a resumed run must have the first run's config
  fs::remove(killed / "sampled/summary.json");
  auto changed = test::run_dsmath(run + killed.string() + " --resume --set sampling.max_new_tokens=6");
  CHECK(changed.exit_code == 1);
  CHECK_THAT(changed.output, Contains("another config ('sampling.max_new_tokens' differs)"));
}

TEST_CASE("eval run: a suite file lists configs relative to itself; duplicate names are refused") {
  const fs::path dir = test::temp_dir("eval-run-suite-file");
  fs::create_directories(dir / "suites");
  std::ofstream(dir / "suites/two.yaml") << "benchmarks:\n  - ../a.yaml\n  - ../missing.yaml\n";
  auto r = test::run_dsmath("eval run --suite " + (dir / "suites/two.yaml").string() + " -m nowhere -o " + (dir / "o").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("two.yaml:2") && Contains("does not exist"));
  std::ofstream(dir / "a.yaml") << "benchmark: gsm8k\n";
  r = test::run_dsmath("eval run -c " + (dir / "a.yaml").string() + " -c " + (dir / "a.yaml").string() + " -m nowhere -o " +
                       (dir / "o").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("two benchmarks of this run are named 'a'"));
}
