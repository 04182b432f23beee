// `dsmath eval grade --execute`: a file of program-of-thought completions graded by running
// them in the sandbox.
#include <catch2/catch.hpp>

#include <fstream>

#include "sandbox/sandbox_fixture.hpp"
#include "test_util.hpp"

using namespace dsmath;
using Catch::Contains;
namespace fs = std::filesystem;

TEST_CASE("eval grade --execute: PAL GSM8K completions graded by the value solution() returns") {
  REQUIRE_SANDBOX();
  const fs::path dir = test::temp_dir("eval-grade-execute");
  {
    std::ofstream out(dir / "pal.jsonl");
    out << R"({"completion": "def solution():\n    apples = 5\n    return apples * 3\n", "answer": "#### 15"})" "\n"
        << R"({"completion": "def solution():\n    return 2 + 2\n", "answer": "5"})" "\n"
        << R"({"completion": "The answer is 7.", "answer": "7"})" "\n"  // prose: not a program, so wrong
        << R"({"completion": "def solution():\n    import socket\n    socket.create_connection(('1.1.1.1', 80), 2)\n    return 9\n", "answer": "9"})" "\n";
  }
  const auto r = test::run_dsmath("eval grade --execute --benchmark gsm8k --timeout 30 --input " +
                                  (dir / "pal.jsonl").string() + " --output " + (dir / "graded.jsonl").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("graded 4 of 4 lines: accuracy 25.00% (1/4), no answer 2"));
  const auto out = test::read_jsonl(dir / "graded.jsonl");
  REQUIRE(out.size() == 4);
  CHECK(out[0]["extracted"] == "15");
  CHECK(out[0]["correct"] == true);
  CHECK(out[1]["extracted"] == "4");
  CHECK(out[1]["correct"] == false);
  CHECK(out[2]["extracted"] == "");  // the text's "7" is not read: the program's value is graded
  CHECK(out[3]["extracted"] == "");  // no network in the sandbox: the program failed
}

TEST_CASE("eval grade --execute: an unknown --program is a clear error") {
  const fs::path dir = test::temp_dir("eval-grade-execute-bad");
  { std::ofstream(dir / "in.jsonl") << R"({"completion": "x", "answer": "1"})" "\n"; }
  const auto r = test::run_dsmath("eval grade --execute --program solutoin --input " + (dir / "in.jsonl").string() +
                                  " --output " + (dir / "out.jsonl").string());
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Contains("--program: unknown program mode 'solutoin'") && Contains("solution_call"));
}
