// `dsmath data ...` run as a user runs it: tiny files in, files and a summary line out, and
// clear messages for bad input.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/files.hpp"
#include "core/json.hpp"
#include "core/rng.hpp"
#include "test_util.hpp"

using namespace dsmath;

namespace {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

RunResult run(const std::filesystem::path& dir, const std::string& args) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command = std::string(DSMATH_BINARY) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(command.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

std::string page_text(Rng& rng, bool math) {
  static const char* kMath[] = {"theorem", "proof", "integral", "$x^2$", "equation", "prime", "lemma", "=", "solve"};
  static const char* kOther[] = {"recipe", "hotel", "music", "football", "movie", "garden", "coffee", "sale", "city"};
  std::string text;
  for (int i = 0; i < 80; ++i) {
    const double r = rng.uniform();
    text += r < 0.3 ? (math ? kMath : kOther)[rng.below(9)] : "w" + std::to_string(rng.below(200));
    text += ' ';
  }
  return text;
}

void write_pages(const std::filesystem::path& path, Rng& rng, int count, const std::string& url_base, int math_every) {
  std::ofstream out(path);
  for (int i = 0; i < count; ++i) {
    const bool math = math_every > 0 && i % math_every == 0;
    out << Json{{"url", url_base + std::to_string(i)}, {"text", page_text(rng, math)}, {"id", i}}.dump() << "\n";
  }
}

// positives, negatives and a pool of 60 pages (every third math), and a model trained on them
std::filesystem::path prepare(const std::string& name) {
  const auto dir = test::temp_dir(name);
  Rng rng(3);
  write_pages(dir / "pos.jsonl", rng, 200, "https://math.org/q/", 1);
  write_pages(dir / "neg.jsonl", rng, 200, "https://shop.com/i/", 0);
  write_pages(dir / "pool.jsonl", rng, 60, "https://mixed.net/p/", 3);
  const auto r = run(dir, "data train-classifier --positives " + (dir / "pos.jsonl").string() + " --negatives " +
                              (dir / "neg.jsonl").string() + " -o " + (dir / "model.bin").string() +
                              " -c " + (test::source_dir() / "configs/data/tiny.yaml").string() + " --threads 1");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.out.starts_with("train-classifier: 200 positives (of 200), 200 negatives (of 200)"));
  return dir;
}

}  // namespace

TEST_CASE("data score adds a score to every page and keeps its fields") {
  const auto dir = prepare("select-cli-score");
  const auto r = run(dir, "data score " + (dir / "pool.jsonl").string() + " -m " + (dir / "model.bin").string() +
                              " -o " + (dir / "scored.jsonl").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.starts_with("score: 60 pages"));
  const auto pages = test::read_jsonl(dir / "scored.jsonl");
  REQUIRE(pages.size() == 60);
  int right = 0;
  for (size_t i = 0; i < pages.size(); ++i) {
    CHECK(pages[i]["id"] == static_cast<int>(i));  // input order, fields kept
    const double s = pages[i]["math_score"];
    CHECK(s >= 0.0);
    CHECK(s <= 1.0);
    right += (s >= 0.5) == (i % 3 == 0);
  }
  CHECK(right >= 54);
}

TEST_CASE("data select keeps the top pages by budget or threshold") {
  const auto dir = prepare("select-cli-select");
  REQUIRE(run(dir, "data score " + (dir / "pool.jsonl").string() + " -m " + (dir / "model.bin").string() + " -o " +
                       (dir / "scored.jsonl").string())
              .exit_code == 0);
  const auto scored = test::read_jsonl(dir / "scored.jsonl");
  std::vector<double> scores;
  for (const auto& p : scored) scores.push_back(p["math_score"]);
  std::vector<double> sorted = scores;
  std::sort(sorted.rbegin(), sorted.rend());

  auto r = run(dir, "data select " + (dir / "scored.jsonl").string() + " -o " + (dir / "top.jsonl").string() +
                        " --budget-pages 15");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.starts_with("select: kept 15 of 60 pages"));
  auto top = test::read_jsonl(dir / "top.jsonl");
  REQUIRE(top.size() == 15);
  for (const auto& p : top) CHECK(p["math_score"].get<double>() >= sorted[14]);
  for (size_t i = 1; i < top.size(); ++i) CHECK(top[i]["id"] > top[i - 1]["id"]);  // input order

  r = run(dir, "data select " + (dir / "scored.jsonl").string() + " -o " + (dir / "thr.jsonl").string() +
                   " --threshold 0.5");
  REQUIRE(r.exit_code == 0);
  const auto above = std::count_if(scores.begin(), scores.end(), [](double s) { return s >= 0.5; });
  CHECK(test::read_jsonl(dir / "thr.jsonl").size() == static_cast<size_t>(above));

  // token budget: 80-word pages of about 400 bytes are ~100 tokens at 4 bytes per token
  r = run(dir, "data select " + (dir / "scored.jsonl").string() + " -o " + (dir / "tok.jsonl").string() +
                   " --budget-tokens 1000");
  REQUIRE(r.exit_code == 0);
  const auto by_tokens = test::read_jsonl(dir / "tok.jsonl");
  CHECK(by_tokens.size() >= 8);
  CHECK(by_tokens.size() <= 12);
}

TEST_CASE("data select without scores fails with a hint; malformed lines are reported with file:line") {
  const auto dir = prepare("select-cli-bad");
  auto r = run(dir, "data select " + (dir / "pool.jsonl").string() + " -o " + (dir / "x.jsonl").string() +
                        " --budget-pages 5");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("dsmath: error: no input page has a usable 'math_score' field (60 records skipped"));
  CHECK_THAT(r.err, Catch::Contains("hint: score the pages first"));
  CHECK_THAT(r.err, Catch::Contains("pool.jsonl:1: skipping malformed record: no numeric 'math_score' field"));
  CHECK_FALSE(std::filesystem::exists(dir / "x.jsonl"));

  {
    std::ofstream f(dir / "mixed.jsonl");
    f << "{\"text\": \"a theorem and a proof\"}\n{\"text\": \"truncated\n[1, 2]\n{\"url\": \"no text\"}\n";
  }
  r = run(dir, "data score " + (dir / "mixed.jsonl").string() + " -m " + (dir / "model.bin").string() + " -o " +
                   (dir / "m.jsonl").string());
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("score: 1 pages") && Catch::Contains("3 malformed records skipped"));
  CHECK_THAT(r.err, Catch::Contains("mixed.jsonl:2: skipping malformed record: malformed JSON"));
  CHECK_THAT(r.err, Catch::Contains("mixed.jsonl:3: skipping malformed record: expected a JSON object"));
  CHECK_THAT(r.err, Catch::Contains("mixed.jsonl:4: skipping malformed record: no string field 'text'"));
  CHECK(test::read_jsonl(dir / "m.jsonl").size() == 1);

  r = run(dir, "data dedup " + (dir / "pool.jsonl").string() + " -o " + (dir / "d.jsonl").string() + " --bands 0");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("dedup.bands") && Catch::Contains("out of range"));
  r = run(dir, "data score " + (dir / "none.jsonl").string() + " -m " + (dir / "model.bin").string() + " -o " +
                   (dir / "n.jsonl").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("none.jsonl") && Catch::Contains("does not exist"));
}

TEST_CASE("data dedup drops URL duplicates and near-duplicates and keeps the first") {
  const auto dir = test::temp_dir("select-cli-dedup");
  Rng rng(8);
  const std::string a = page_text(rng, true), b = page_text(rng, false), c = page_text(rng, true);
  std::string a_edit = a;
  a_edit.replace(0, 8, "changed!");  // a near-duplicate of a
  {
    std::ofstream f(dir / "pages.jsonl");
    f << Json{{"url", "https://www.site.org/x/"}, {"text", a}}.dump() << "\n";
    f << Json{{"url", "http://site.org/x#top"}, {"text", b}}.dump() << "\n";  // same URL as page 1
    f << Json{{"url", "https://other.org/1"}, {"text", a_edit}}.dump() << "\n";
    f << Json{{"url", "https://other.org/2"}, {"text", c}}.dump() << "\n";
  }
  const auto r = run(dir, "data dedup " + (dir / "pages.jsonl").string() + " -o " + (dir / "out.jsonl").string() +
                              " --removed " + (dir / "removed.jsonl").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.starts_with("dedup: kept 2 of 4 pages: 1 URL duplicates, 1 near-duplicates in 1 clusters"));
  const auto out = test::read_jsonl(dir / "out.jsonl");
  REQUIRE(out.size() == 2);
  CHECK(out[0]["url"] == "https://www.site.org/x/");
  CHECK(out[1]["url"] == "https://other.org/2");
  const auto removed = test::read_jsonl(dir / "removed.jsonl");
  REQUIRE(removed.size() == 2);
  CHECK(removed[0]["reason"] == "url");
  CHECK(removed[1]["reason"] == "near");
  CHECK(removed[1]["kept"].get<std::string>().ends_with("pages.jsonl:1"));
}

TEST_CASE("data decontaminate removes pages with benchmark text and reports them") {
  const auto dir = test::temp_dir("select-cli-decontaminate");
  {
    std::ofstream b(dir / "bench.jsonl");
    b << Json{{"problem", "Find all real numbers x such that x squared plus one equals two x."}}.dump() << "\n";
    std::ofstream p(dir / "pages.jsonl");
    p << Json{{"url", "http://a.org/1"}, {"text", "Exercise: find all real numbers x such that x squared plus one equals two x"}}.dump() << "\n";
    p << Json{{"url", "http://a.org/2"}, {"text", "Find all real numbers x such that x cubed is zero."}}.dump() << "\n";
    std::ofstream c(dir / "config.yaml");
    c << "decontamination:\n  benchmarks:\n    - {name: toy, path: " << (dir / "bench.jsonl").string()
      << ", fields: [problem]}\n";
  }
  const auto r = run(dir, "data decontaminate " + (dir / "pages.jsonl").string() + " -o " + (dir / "out.jsonl").string() +
                              " --report " + (dir / "report.jsonl").string() + " -c " + (dir / "config.yaml").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.starts_with("decontaminate: kept 1 of 2 pages: 1 removed (pages matched: toy 1)"));
  const auto out = test::read_jsonl(dir / "out.jsonl");
  REQUIRE(out.size() == 1);
  CHECK(out[0]["url"] == "http://a.org/2");
  const auto report = test::read_jsonl(dir / "report.jsonl");
  REQUIRE(report.size() == 1);
  CHECK(report[0]["matches"][0]["source"].get<std::string>().ends_with("bench.jsonl:1"));

  const auto missing = run(dir, "data decontaminate " + (dir / "pages.jsonl").string() + " -o " +
                                    (dir / "o2.jsonl").string() + " --benchmark-dir " + (dir / "nowhere").string());
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("benchmark file") && Catch::Contains("nowhere/gsm8k/test.jsonl"));
  CHECK_THAT(missing.err, Catch::Contains("hint: set decontamination.benchmark_dir"));
}

TEST_CASE("data domains lists math domains and expand-seed adds the marked paths") {
  const auto dir = test::temp_dir("select-cli-domains");
  Rng rng(4);
  {
    std::ofstream seen(dir / "seen.jsonl"), selected(dir / "selected.jsonl"), seed(dir / "seed.jsonl");
    for (int i = 0; i < 20; ++i) {  // mathsite.net: 10 of 20 selected, all under /questions/
      Json p{{"url", "https://www.mathsite.net/" + std::string(i < 12 ? "questions/" : "users/") + std::to_string(i)},
             {"text", page_text(rng, i < 12)}};
      seen << p.dump() << "\n";
      if (i < 10) selected << p.dump() << "\n";
      if (i < 2) seed << p.dump() << "\n";
    }
    for (int i = 0; i < 40; ++i) {  // big.com: 1 of 40 selected (2.5%)
      Json p{{"url", "https://big.com/a/" + std::to_string(i)}, {"text", page_text(rng, false)}};
      seen << p.dump() << "\n";
      if (i == 0) selected << p.dump() << "\n";
    }
  }
  auto r = run(dir, "data domains --seen " + (dir / "seen.jsonl").string() + " --selected " +
                        (dir / "selected.jsonl").string() + " -o " + (dir / "domains.jsonl").string() + " --marks " +
                        (dir / "marks.txt").string() + " --all-domains " + (dir / "all.jsonl").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.starts_with("domains: 1 of 2 domains have more than 10% of their pages selected"));
  const auto domains = test::read_jsonl(dir / "domains.jsonl");
  REQUIRE(domains.size() == 1);
  CHECK(domains[0]["domain"] == "mathsite.net");
  CHECK(domains[0]["seen"] == 20);
  CHECK(domains[0]["selected"] == 10);
  CHECK(domains[0]["path_prefixes"][0]["prefix"] == "mathsite.net/questions/");
  CHECK(domains[0]["path_prefixes"][0]["seen"] == 12);
  const auto all = test::read_jsonl(dir / "all.jsonl");
  REQUIRE(all.size() == 2);
  CHECK(all[1] == Json{{"domain", "big.com"}, {"seen", 40}, {"selected", 1}});
  const std::string marks = read_file(dir / "marks.txt");
  CHECK_THAT(marks, Catch::Contains("# mathsite.net/questions/\tselected 10 of 12"));

  // nothing marked yet: expand-seed refuses
  r = run(dir, "data expand-seed --seed " + (dir / "seed.jsonl").string() + " --pool " + (dir / "seen.jsonl").string() +
                   " --marks " + (dir / "marks.txt").string() + " -o " + (dir / "seed2.jsonl").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("no path prefix is marked"));
  // a person uncomments the /questions/ line
  std::string edited = marks;
  edited.replace(edited.find("# mathsite.net/questions/"), 2, "");
  write_file_atomic(dir / "marks.txt", edited);
  r = run(dir, "data expand-seed --seed " + (dir / "seed.jsonl").string() + " --pool " + (dir / "seen.jsonl").string() +
                   " --marks " + (dir / "marks.txt").string() + " -o " + (dir / "seed2.jsonl").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.starts_with("expand-seed: 2 seed pages + 10 added from 60 pool pages (mathsite.net/questions/ 10)"));
  CHECK(test::read_jsonl(dir / "seed2.jsonl").size() == 12);
}
