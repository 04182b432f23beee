// scripts/select_corpus.sh: two rounds on a generated pool, stopping for a person to mark
// the math URL paths and resuming where it stopped.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "core/files.hpp"
#include "core/json.hpp"
#include "core/rng.hpp"
#include "test_util.hpp"

using namespace dsmath;

namespace {

std::string words(Rng& rng, bool math) {
  static const char* kMath[] = {"theorem", "proof", "integral", "equation", "prime", "lemma", "solve", "matrix"};
  static const char* kOther[] = {"recipe", "hotel", "music", "football", "movie", "garden", "coffee", "sale"};
  std::string text;
  for (int i = 0; i < 60; ++i) {
    text += rng.uniform() < 0.3 ? (math ? kMath : kOther)[rng.below(8)] : "w" + std::to_string(rng.below(150));
    text += ' ';
  }
  return text;
}

int run_script(const std::filesystem::path& dir, const std::string& args, std::string& output) {
  const std::string command = "bash " + (test::source_dir() / "scripts/select_corpus.sh").string() + " --dsmath " +
                              DSMATH_BINARY + " " + args + " >" + (dir / "log.txt").string() + " 2>&1";
  const int status = std::system(command.c_str());
  output = read_file(dir / "log.txt");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("select_corpus.sh stops for marking then resumes and finishes") {
  const auto dir = test::temp_dir("select-corpus-script");
  Rng rng(12);
  {
    std::ofstream seed(dir / "seed.jsonl"), pool(dir / "pool.jsonl"), bench(dir / "bench.jsonl");
    for (int i = 0; i < 40; ++i) seed << Json{{"url", "https://seed.org/" + std::to_string(i)}, {"text", words(rng, true)}}.dump() << "\n";
    for (int i = 0; i < 300; ++i) {
      const bool math = i % 3 == 0;
      const std::string url = math ? "https://www.mathforum.net/t/" + std::to_string(i) : "https://site" + std::to_string(i % 9) + ".com/p/" + std::to_string(i);
      std::string text = words(rng, math);
      if (i == 3) text += " the quick brown fox jumps over the lazy dog near the river bank";  // benchmark text
      pool << Json{{"url", url}, {"text", text}}.dump() << "\n";
    }
    bench << Json{{"question", "The quick brown fox jumps over the lazy dog near the river."}}.dump() << "\n";
    std::ofstream config(dir / "config.yaml");
    config << "threads: 2\nclassifier: {dim: 16, min_count: 1, epochs: 20, lr: 0.5, bucket: 10000}\n"
              "select: {budget_tokens: null, budget_pages: 100}\n"
              "decontamination:\n  benchmarks: [{name: toy, path: " << (dir / "bench.jsonl").string()
           << ", fields: [question]}]\n";
  }
  const std::string args = "--seed " + (dir / "seed.jsonl").string() + " --pool " + (dir / "pool.jsonl").string() +
                           " --out " + (dir / "run").string() + " --rounds 2 --config " + (dir / "config.yaml").string();
  std::string log;
  REQUIRE(run_script(dir, args, log) == 0);
  INFO(log);
  CHECK_THAT(log, Catch::Contains("round 1: mark the math URL paths in"));
  CHECK_FALSE(std::filesystem::exists(dir / "run" / "seed-2.jsonl"));

  std::string marks = read_file(dir / "run" / "round-1" / "marks.txt");
  const size_t line = marks.find("# mathforum.net/t/");
  REQUIRE(line != std::string::npos);
  marks.erase(line, 2);
  write_file_atomic(dir / "run" / "round-1" / "marks.txt", marks);

  REQUIRE(run_script(dir, args, log) == 0);
  INFO(log);
  CHECK_THAT(log, Catch::Contains("expand-seed: 40 seed pages + 100 added from 300 pool pages (mathforum.net/t/ 100)"));
  CHECK_THAT(log, Catch::Contains("== round 2 of 2"));
  CHECK_THAT(log, Catch::Contains("decontaminate: kept 99 of 100 pages: 1 removed (pages matched: toy 1)"));
  std::ifstream corpus(dir / "run" / "corpus.jsonl");
  int pages = 0, math_pages = 0;
  std::string json_line;
  while (std::getline(corpus, json_line)) {
    ++pages;
    math_pages += Json::parse(json_line)["url"].get<std::string>().find("mathforum") != std::string::npos;
  }
  CHECK(pages == 99);
  CHECK(math_pages == 99);  // the classifier of round 2 ranks all 100 math pages first
}
