// Committed golden ids (tests/tokenizer/golden/, written by `hf_reference.py golden` with the
// `tokenizers` package) for GSM8K and MATH500 solutions: runs without python whenever
// shared/data is present.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/json.hpp"
#include "reference.hpp"
#include "test_util.hpp"
#include "tokenizer_test_util.hpp"

using namespace dsmath;

namespace {

struct GoldenFile {
  const char* golden;  // under tests/tokenizer/golden/, prefixed with the tokenizer name
  const char* source;  // under shared/data
  const char* field;
  size_t lines;
};

constexpr GoldenFile kGolden[] = {
    {"gsm8k-test-answer.jsonl", "gsm8k/test.jsonl", "answer", 150},
    {"math500-solution.jsonl", "math/math500_test.jsonl", "solution", 60},
};

}  // namespace

TEST_CASE("committed golden ids for GSM8K/MATH text are reproduced", "[tokenizer]") {
  for (const std::string name : {"deepseek-math", "gpt2"}) {
    const Tokenizer* tok = test::reference_tokenizer(name);
    if (!test::reference_present(tok != nullptr, "../shared/data/tokenizers/" + name)) continue;
    for (const auto& g : kGolden) {
      std::ifstream golden(test::source_dir() / "tests" / "tokenizer" / "golden" / (name + "-" + g.golden));
      std::ifstream source(*test::shared_data_dir() / g.source);
      REQUIRE(golden.good());
      REQUIRE(source.good());
      std::string golden_line, source_line;
      size_t n = 0;
      while (std::getline(golden, golden_line)) {
        REQUIRE(std::getline(source, source_line));
        ++n;
        const auto expected = Json::parse(golden_line);
        REQUIRE(expected["line"].get<size_t>() == n);
        const auto text = Json::parse(source_line)[g.field].get<std::string>();
        INFO(name << " " << g.source << ":" << n);
        CHECK(tok->encode(text, false) == expected["ids"].get<std::vector<uint32_t>>());
      }
      CHECK(n == g.lines);
    }
  }
  SUCCEED();
}
