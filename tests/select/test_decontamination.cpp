// Decontamination: pages holding a GSM8K test question are removed, a paraphrase and a page
// sharing only 9-grams are kept, and benchmark texts of 3-9 words match only whole.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/json.hpp"
#include "select/decontamination.hpp"
#include "reference.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::select;

TEST_CASE("a page holding a GSM8K test question is removed; paraphrases are kept") {
  const auto shared = test::shared_data_dir();
  DSMATH_REQUIRE_REFERENCE(shared && std::filesystem::exists(*shared / "gsm8k" / "test.jsonl"),
                           "../shared/data/gsm8k/test.jsonl (set DSMATH_SHARED_DATA)");
  ContaminationIndex index(10, 3);
  CHECK(index.add_jsonl(*shared / "gsm8k" / "test.jsonl", "gsm8k", {"question", "answer"}) == 2 * 1319);
  const std::string question =
      "Janet\u2019s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her "
      "friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. "
      "How much in dollars does she make every day at the farmers' market?";
  std::vector<ContaminationMatch> matches;

  // verbatim inside other text, with different case, quotes and line breaks
  index.find("Homework help forum\nQ: " + question + "\nAnswer below, thanks!", matches);
  REQUIRE_FALSE(matches.empty());
  CHECK(index.texts()[matches.front().text].where.ends_with("test.jsonl:1"));
  CHECK(index.texts()[matches.front().text].field == "question");
  CHECK_FALSE(matches.front().short_text);
  index.find("JANET'S DUCKS LAY 16 EGGS PER DAY. SHE EATS THREE FOR BREAKFAST", matches);
  CHECK_FALSE(matches.empty());

  // a paraphrase shares no 10 consecutive words
  index.find(
      "Janet owns ducks that produce 16 eggs daily. Three get eaten at breakfast and four go into muffins. The rest "
      "sell for $2 each at the market. What are her daily earnings?",
      matches);
  CHECK(matches.empty());
  // 9 consecutive words of the question, then a change: below the 10-gram threshold
  // ("janet s ducks lay 16 eggs per day she": the apostrophe splits words)
  index.find("Janet's ducks lay 16 eggs per day. She ate three for breakfast", matches);
  CHECK(matches.empty());
  // ... and with the tenth word it matches
  index.find("Janet's ducks lay 16 eggs per day. She eats", matches);
  CHECK(matches.size() == 1);
}

TEST_CASE("benchmark texts of 3-9 words match exactly and shorter ones are not indexed") {
  ContaminationIndex index(10, 3);
  CHECK(index.add("The answer is forty-two.", 0, "b.jsonl:1", "answer"));  // 5 words
  CHECK_FALSE(index.add("x = 5", 0, "b.jsonl:2", "answer"));             // 2 words
  CHECK(index.short_texts() == 1);
  CHECK(index.ngrams() == 0);
  std::vector<ContaminationMatch> matches;
  index.find("... and so THE ANSWER is forty two! Next question.", matches);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].short_text);
  CHECK(matches[0].word_count == 5);
  index.find("the answer is forty", matches);  // a part of the short text is not a match
  CHECK(matches.empty());
  index.find("let x = 5 be given", matches);  // the 2-word text was not indexed
  CHECK(matches.empty());
}

TEST_CASE("decontaminate_pages removes pages or only the matching lines and reports why") {
  const auto dir = test::temp_dir("select-decontaminate");
  {
    std::ofstream b(dir / "bench.jsonl");
    b << Json{{"question", "What is the sum of the interior angles of a regular convex hexagon in degrees?"},
              {"answer", "seven hundred twenty degrees"}}.dump()
      << "\n";
    std::ofstream p(dir / "pages.jsonl");
    p << Json{{"url", "http://a.com/1"}, {"text", "Clean page about hexagons and their angles."}}.dump() << "\n";
    p << Json{{"url", "http://a.com/2"},
              {"text", "Intro line.\nQuiz: what is the sum of the interior angles of a regular convex hexagon?\nOutro line."}}
             .dump()
      << "\n";
    p << Json{{"url", "http://a.com/3"}, {"text", "It is Seven hundred twenty degrees."}}.dump() << "\n";
  }
  DataConfig config;
  config.threads = 2;
  config.decontamination.benchmarks = {{"toy", (dir / "bench.jsonl").string(), {"question", "answer"}}};
  const ContaminationIndex index = build_contamination_index(config.decontamination);

  SECTION("whole pages") {
    const auto r = decontaminate_pages({dir / "pages.jsonl"}, dir / "out.jsonl", dir / "report.jsonl", index, config);
    CHECK(r.pages_in == 3);
    CHECK(r.pages_removed == 2);
    CHECK(r.pages_out == 1);
    const auto out = test::read_jsonl(dir / "out.jsonl");
    REQUIRE(out.size() == 1);
    CHECK(out[0]["url"] == "http://a.com/1");
    const auto report = test::read_jsonl(dir / "report.jsonl");
    REQUIRE(report.size() == 2);
    CHECK(report[0]["action"] == "removed_page");
    CHECK(report[0]["matches"][0]["benchmark"] == "toy");
    CHECK(report[0]["matches"][0]["rule"] == "10-gram");
    CHECK(report[0]["matches"][0]["field"] == "question");
    CHECK(report[0]["matches"][0]["matched"] == "what is the sum of the interior angles of a");
    CHECK(report[1]["matches"][0]["rule"] == "short-text");
    CHECK(report[1]["matches"][0]["matched"] == "seven hundred twenty degrees");
  }
  SECTION("segments") {
    config.decontamination.unit = "segment";
    const auto r = decontaminate_pages({dir / "pages.jsonl"}, dir / "out.jsonl", std::nullopt, index, config);
    CHECK(r.pages_trimmed == 1);
    CHECK(r.pages_removed == 1);  // its only line matched
    CHECK(r.segments_removed == 1);  // lines removed from the pages kept
    const auto out = test::read_jsonl(dir / "out.jsonl");
    REQUIRE(out.size() == 2);
    CHECK(out[1]["url"] == "http://a.com/2");
    CHECK(out[1]["text"] == "Intro line.\nOutro line.");
  }
}

TEST_CASE("benchmark files: a missing file or field is an error naming it") {
  const auto dir = test::temp_dir("select-decontaminate-bad");
  DecontaminationConfig config;
  config.benchmarks = {{"nope", (dir / "missing.jsonl").string(), {"question"}}};
  CHECK_THROWS_WITH(build_contamination_index(config), Catch::Contains("missing.jsonl") && Catch::Contains("nope"));
  std::ofstream(dir / "b.jsonl") << "{\"problem\": \"x y z w\"}\n";
  config.benchmarks = {{"b", (dir / "b.jsonl").string(), {"question"}}};
  CHECK_THROWS_WITH(build_contamination_index(config), Catch::Contains("no line has a string field 'question'"));
  std::ofstream(dir / "c.jsonl") << "{\"question\": \"a b c d\"}\n{broken\n";
  config.benchmarks = {{"c", (dir / "c.jsonl").string(), {"question"}}};
  CHECK_THROWS_WITH(build_contamination_index(config), Catch::Contains("c.jsonl:2"));
}
