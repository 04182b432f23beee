// `dsmath eval grade` and `dsmath eval compare` end to end: outputs, summary, exit codes, and
// malformed input lines reported with file:line.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/files.hpp"
#include "core/json.hpp"
#include "test_util.hpp"

using namespace dsmath;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("eval grade: grades a JSONL file, reports malformed lines with file:line") {
  const fs::path dir = test::temp_dir("eval-grade-cli");
  const fs::path input = dir / "in.jsonl";
  write_text(input,
             "{\"completion\": \"9 * 2 = 18. The answer is 18.\", \"answer\": \"18\"}\n"          // right
             "{\"completion\": \"The answer is 7.\", \"answer\": \"Janet... #### 8\"}\n"           // wrong (gold from ####)
             "{broken json\n"                                                                      // malformed
             "\n"                                                                                  // blank: ignored
             "{\"completion\": \"So it is\\n#### 1,000\", \"answer\": 1000}\n"                    // right, numeric gold
             "{\"completion\": \"no idea\"}\n"                                                     // missing answer
             "{\"completion\": \"I cannot tell.\", \"answer\": \"5\"}\n");                        // no answer
  const auto r = test::run_dsmath("eval grade --input " + input.string() + " --output " + (dir / "out.jsonl").string() +
                                  " --benchmark gsm8k");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("graded 4 of 6 lines: accuracy 50.00% (2/4), no answer 1, malformed 2 (skipped)"));
  CHECK_THAT(r.output, Contains("in.jsonl:3"));
  CHECK_THAT(r.output, Contains("in.jsonl:6"));
  CHECK_THAT(r.output, Contains("grading policy:"));
  const auto out = test::read_jsonl(dir / "out.jsonl");
  REQUIRE(out.size() == 4);
  CHECK(out[0]["extracted"] == "18");
  CHECK(out[0]["correct"] == true);
  CHECK(out[1]["extracted"] == "7");
  CHECK(out[1]["correct"] == false);
  CHECK(out[2]["extracted"] == "1000");
  CHECK(out[2]["correct"] == true);
  CHECK(out[2]["answer"] == 1000);  // input fields are kept as they were
  CHECK(out[3]["extracted"] == "");
  CHECK(out[3]["correct"] == false);
}

TEST_CASE("eval grade: custom field names, samples grouped by id, results directory, compare") {
  const fs::path dir = test::temp_dir("eval-grade-groups");
  std::string a, b;
  // two problems x 2 samples; run A: p1 right once, p2 never; run B: p1 twice, p2 once
  a += "{\"pid\": \"p1\", \"output\": \"\\\\boxed{\\\\frac{1}{2}}\", \"gold\": \"0.5\"}\n";
  a += "{\"pid\": \"p1\", \"output\": \"\\\\boxed{2}\", \"gold\": \"0.5\"}\n";
  a += "{\"pid\": \"p2\", \"output\": \"\\\\boxed{(1,2)}\", \"gold\": \"[1,2]\"}\n";
  a += "{\"pid\": \"p2\", \"output\": \"nothing\", \"gold\": \"[1,2]\"}\n";
  b += "{\"pid\": \"p1\", \"output\": \"The answer is $\\\\dfrac12$.\", \"gold\": \"0.5\"}\n";
  b += "{\"pid\": \"p1\", \"output\": \"\\\\boxed{0.5}\", \"gold\": \"0.5\"}\n";
  b += "{\"pid\": \"p2\", \"output\": \"\\\\boxed{[1, 2]}\", \"gold\": \"[1,2]\"}\n";
  b += "{\"pid\": \"p2\", \"output\": \"\\\\boxed{(1,2]}\", \"gold\": \"[1,2]\"}\n";
  write_text(dir / "a.jsonl", a);
  write_text(dir / "b.jsonl", b);
  const std::string common = " --benchmark math --completion-field output --answer-field gold --id-field pid --pass-k 1,2 --maj-k 2";
  auto ra = test::run_dsmath("eval grade -i " + (dir / "a.jsonl").string() + " -o " + (dir / "a-out.jsonl").string() +
                             common + " --results-dir " + (dir / "run-a").string());
  INFO(ra.output);
  REQUIRE(ra.exit_code == 0);
  CHECK_THAT(ra.output, Contains("accuracy 25.00% (1/4)"));
  CHECK_THAT(ra.output, Contains("pass@2"));
  auto rb = test::run_dsmath("eval grade -i " + (dir / "b.jsonl").string() + " -o " + (dir / "b-out.jsonl").string() +
                             common + " --results-dir " + (dir / "run-b").string());
  INFO(rb.output);
  REQUIRE(rb.exit_code == 0);
  const Json summary = Json::parse(read_file(dir / "run-b/summary.json"));
  CHECK(summary["problems"] == 2);
  CHECK(summary["metrics"]["pass@1"].get<double>() == Approx(0.75));
  CHECK(summary["metrics"]["pass@2"].get<double>() == Approx(1.0));
  CHECK(summary["metrics"]["maj@2"].get<double>() == Approx(1.0));  // p2: a 1-1 tie goes to the first, [1, 2]
  CHECK(test::read_jsonl(dir / "run-b/samples.jsonl").size() == 4);

  auto cmp = test::run_dsmath("eval compare " + (dir / "run-a").string() + " " + (dir / "run-b").string());
  INFO(cmp.output);
  REQUIRE(cmp.exit_code == 0);
  CHECK_THAT(cmp.output, Contains("pass@1"));
  CHECK_THAT(cmp.output, Contains("+50.00"));  // pass@1 25% -> 75%
  CHECK_THAT(cmp.output, Contains("both right 1, only A 0, only B 1, both wrong 0"));
}

TEST_CASE("eval grade: bad invocations fail with a message and a hint") {
  const fs::path dir = test::temp_dir("eval-grade-errors");
  auto r = test::run_dsmath("eval grade --input " + (dir / "missing.jsonl").string() + " --output " +
                            (dir / "o.jsonl").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("does not exist"));
  write_text(dir / "in.jsonl", "{\"completion\": \"The answer is 1.\", \"answer\": \"1\"}\n");
  r = test::run_dsmath("eval grade --input " + (dir / "in.jsonl").string() + " --output " + (dir / "o.jsonl").string() +
                       " --benchmark gsm8kk");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("did you mean 'gsm8k'"));
  write_text(dir / "bad.jsonl", "{\"text\": \"x\"}\nnot json\n");
  r = test::run_dsmath("eval grade --input " + (dir / "bad.jsonl").string() + " --output " + (dir / "o.jsonl").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("no gradable line"));
  CHECK_FALSE(fs::exists(dir / "o.jsonl"));  // nothing half-written
  r = test::run_dsmath("eval compare " + dir.string() + " " + dir.string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("no summary.json"));
}
