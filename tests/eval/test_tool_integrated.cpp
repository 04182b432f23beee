// Tool-integrated reasoning: the code a text hands to the tool (DeepSeek's extract_code), the
// tool's turn, and the generation loop with a scripted model and the real sandbox.
#include <catch2/catch.hpp>

#include "eval/tool_integrated.hpp"
#include "sandbox/sandbox_fixture.hpp"
#include "reference.hpp"
#include "scripted_generation.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::eval;
using sandbox::SandboxResult;
using sandbox::StopReason;

TEST_CASE("tool: the program of a text is every python block, earlier ones without prints") {
  CHECK(tool_program("no code here") == "");
  CHECK(tool_program("```python\nprint(1)\n```\nthen prose") == "");  // must end at a closing fence
  CHECK(tool_program("```python\nx = 2\nprint(x)\n```") == "x = 2\nprint(x)");
  const std::string two =
      "First:\n```python\nimport math\ndef f(n):\n    print(n)\n    return n * 2\nprint(f(3))\ny = f(4)\n```\n"
      "```output\n3\n6\n```\nNow:\n```python\nprint(y + 1)\n```";
  // block 1 loses its top-level print line but keeps the indented one, import and def
  CHECK(tool_program(two) == "import math\ndef f(n):\n    print(n)\n    return n * 2\ny = f(4)\nprint(y + 1)");
}

TEST_CASE("tool: the tool's turn holds the output, shortened, or the error's last line") {
  SandboxResult ok;
  ok.stdout_text = "42\n";
  CHECK(tool_turn(ok) == "\n```output\n42\n```\n");
  ok.stdout_text = std::string(60, 'a') + std::string(60, 'b');
  CHECK(tool_turn(ok) == "\n```output\n" + std::string(50, 'a') + "..." + std::string(50, 'b') + "\n```\n");
  SandboxResult err;
  err.reason = StopReason::error;
  err.exit_code = 1;
  err.stdout_text = "printed before failing\n";
  err.stderr_text = "Traceback (most recent call last):\n  File \"/sandbox/main.py\", line 1\nZeroDivisionError: division by zero\n";
  CHECK(tool_turn(err) == "\n```output\nRuntime errors: ZeroDivisionError: division by zero\n```\n");
  SandboxResult slow;
  slow.reason = StopReason::timeout;
  CHECK(tool_turn(slow) == "\n```output\nRuntime errors: Timeout Error\n```\n");
}

TEST_CASE("tool: generation stops at ```output, the code runs, its output is appended, generation goes on") {
  REQUIRE_SANDBOX();
  auto data = test::required_shared_data();
  if (!data) return;
  const Tokenizer tok = Tokenizer::load(*data / "tokenizers/gpt2/tokenizer.json");
  // The model's side, scripted by what its prompt holds so far; tokens are fed to the stop
  // check one at a time as the engine does.
  std::vector<std::vector<std::string>> calls;  // the prompt texts of each generate() call
  const GenerateFn scripted = [&](std::span<const GenerationRequest> requests, const StopCheck& stop) {
    calls.emplace_back();
    std::vector<Generation> out;
    for (size_t r = 0; r < requests.size(); ++r) {
      const std::vector<uint32_t> ids(requests[r].prompt.begin(), requests[r].prompt.end());
      const std::string prompt = tok.decode(ids, true);
      calls.back().push_back(prompt);
      std::string text;
      if (prompt.starts_with("A") && prompt.find("```output") == std::string::npos)
        text = "I will compute.\n```python\nx = 6 * 7\nprint(x)\n```\n```output\n41 (a guess)\n```\nmore";
      else if (prompt.starts_with("A"))
        text = "So the answer is \\boxed{42}.";
      else if (prompt.starts_with("B") && prompt.find("```output") == std::string::npos)
        text = "```python\nprint(1 / 0)\n```\n```output\n";
      else if (prompt.starts_with("B"))
        text = "Again:\n```python\nprint(2)\n```\n```output\n";
      else
        text = "The answer is \\boxed{5}.";
      out.push_back(test::scripted_generation(tok, text, r, stop));
    }
    return out;
  };
  ProgramConfig config;
  config.mode = ProgramMode::tool;
  config.max_rounds = 2;
  config.sandbox = test::test_sandbox_config();
  config.sandbox.limits.wall_seconds = 60;
  config.sandbox.limits.cpu_seconds = 60;
  const auto texts = generate_with_tools(scripted, tok, {"A: 6*7?\n", "B: 2?\n", "C: 5?\n"}, {"\nQ:"}, config);
  REQUIRE(texts.size() == 3);
  // the model's guess after ```output is discarded: the sandbox's output takes its place
  CHECK(texts[0].text == "I will compute.\n```python\nx = 6 * 7\nprint(x)\n```\n```output\n42\n```\nSo the answer is \\boxed{42}.");
  // round 2 ends in another tool call: it runs (DeepSeek runs code in the last round too), no round 3
  CHECK(texts[1].text ==
        "```python\nprint(1 / 0)\n```\n```output\nRuntime errors: ZeroDivisionError: division by zero\n```\n"
        "Again:\n```python\nprint(2)\n```\n```output\n2\n```\n");
  CHECK(texts[2].text == "The answer is \\boxed{5}.");
  CHECK(texts[0].programs_run == 1);
  CHECK(texts[1].programs_run == 2);
  CHECK(texts[2].programs_run == 0);
  CHECK(texts[0].finish == FinishReason::eos);   // round 2 of A ends at the scripted EOS
  CHECK(texts[1].finish == FinishReason::stop);  // B's last round handed the turn to the tool
  // two generate() calls; the second continues A and B only, each from its whole text so far
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].size() == 3);
  REQUIRE(calls[1].size() == 2);
  CHECK(calls[1][0] == "A: 6*7?\nI will compute.\n```python\nx = 6 * 7\nprint(x)\n```\n```output\n42\n```\n");
  CHECK(test::no_children_left());
}
