// Golden (completion, gold) pairs with hand-decided verdicts, from the differential test of
// our grader against Hugging Face's Math-Verify (tests/eval/data/make_grader_cases.py):
// answers written the way DeepSeekMath-Instruct/RL, Qwen-Math, Llama and Minerva few-shot
// completions write them, as equivalent rewrites of MATH500/GSM8K gold answers and as near
// misses. The verdict is the DeepSeekMath/Minerva convention (mathematically equal answers
// are correct; interval brackets and tuple order matter; the order of a list of solutions
// does not), not either grader's output; where Math-Verify disagrees, `why` says so.
// Every case goes through the whole path `dsmath eval grade` takes: stop markers,
// extraction for the benchmark's style, comparison.
#include <catch2/catch.hpp>

#include "core/json.hpp"
#include "data/jsonl.hpp"
#include "eval/answer_extraction.hpp"
#include "eval/benchmark.hpp"
#include "eval/grade_sample.hpp"
#include "test_util.hpp"

using namespace dsmath::eval;

TEST_CASE("grader: golden model-output cases from the Math-Verify differential test") {
  const auto path = dsmath::test::source_dir() / "tests/eval/data/grader_cases.jsonl";
  dsmath::LineReader reader(path);
  size_t total = 0, agree = 0, expected_correct = 0;
  std::string failures;
  for (std::string line; reader.next(line);) {
    if (line.empty()) continue;
    const auto row = dsmath::parse_json_object(line, reader.where());
    const auto completion = row["completion"].get<std::string>();
    const auto gold = row["gold"].get<std::string>();
    const bool expected = row["expected"].get<bool>();
    const AnswerStyle style = row["benchmark"].get<std::string>() == "gsm8k" ? AnswerStyle::gsm8k : AnswerStyle::math;
    const auto stops = default_stop_markers(style);
    const SampleGrade g = grade_completion(completion, gold_from_solution(gold, style), style, stops);
    ++total;
    expected_correct += expected ? 1 : 0;
    if (g.correct == expected) {
      ++agree;
    } else {
      failures += "\n  " + reader.where() + ": extracted '" + g.extracted + "' vs gold '" + gold + "': expected " +
                  (expected ? "correct" : "wrong") + ", rule " + g.rule + " (" + row["why"].get<std::string>() + ")";
    }
  }
  INFO(agree << "/" << total << " agree" << failures);
  CHECK(total >= 200);
  // both verdicts are well represented, so neither "always correct" nor "always wrong" passes
  CHECK(expected_correct >= total / 4);
  CHECK(total - expected_correct >= total / 4);
  CHECK(agree == total);
}
