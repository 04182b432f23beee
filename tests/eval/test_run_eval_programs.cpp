// `eval run` with model-written programs: program-of-thought (the completion's program runs in
// the sandbox, its value is graded) and tool-integrated reasoning (generation in rounds with
// the sandbox's output between them), through the chunked, resumable run, with the model's
// side scripted and the real sandbox.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/files.hpp"
#include "eval/run_eval.hpp"
#include "reference.hpp"
#include "sandbox/sandbox_fixture.hpp"
#include "scripted_generation.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::eval;
namespace fs = std::filesystem;

namespace {

// A GenerateCall whose reply to each request is `reply(prompt text)`; counts the requests.
GenerateCall scripted(const Tokenizer& tok, std::function<std::string(const std::string&)> reply, size_t* requests) {
  return [&tok, reply, requests](std::span<const GenerationRequest> batch, const SamplingConfig&, const StopCheck& stop) {
    std::vector<Generation> out;
    for (size_t r = 0; r < batch.size(); ++r) {
      const std::vector<uint32_t> ids(batch[r].prompt.begin(), batch[r].prompt.end());
      out.push_back(test::scripted_generation(tok, reply(tok.decode(ids, true)), r, stop));
    }
    if (requests) *requests += batch.size();
    return out;
  };
}

EvalConfig config_for(const fs::path& data, ProgramMode mode) {
  EvalConfig c;
  c.benchmark = BenchmarkKind::gsm8k;
  c.data = data.string();
  c.prompt.kind = PromptKind::chat;
  c.prompt.chat_template = "Question: {question}\nAnswer:";
  c.sampling.max_new_tokens = 200;
  c.program.mode = mode;
  c.program.sandbox = test::test_sandbox_config();
  c.program.sandbox.limits.wall_seconds = 60;
  c.program.sandbox.limits.cpu_seconds = 60;
  return c;
}

}  // namespace

TEST_CASE("eval run, program-of-thought: the value solution() returns is graded, and resume runs it again") {
  REQUIRE_SANDBOX();
  auto data = test::required_shared_data();
  if (!data) return;
  const Tokenizer tok = Tokenizer::load(*data / "tokenizers/gpt2/tokenizer.json");
  const fs::path dir = test::temp_dir("eval-run-pal");
  {
    std::ofstream out(dir / "problems.jsonl");
    out << R"({"question": "Five boxes of three apples: how many apples?", "answer": "5 * 3 = 15\n#### 15"})" "\n"
        << R"({"question": "Two and two?", "answer": "#### 5"})" "\n"
        << R"({"question": "Seven?", "answer": "#### 7"})" "\n"
        << R"({"question": "Nine by the network?", "answer": "#### 9"})" "\n";
  }
  const auto reply = [](const std::string& prompt) -> std::string {
    if (prompt.find("apples") != std::string::npos) return "def solution():\n    boxes = 5\n    return boxes * 3\n";
    if (prompt.find("Two and two") != std::string::npos) return "```python\ndef solution():\n    return 2 + 2\n```";
    if (prompt.find("Seven") != std::string::npos) return "The answer is 7.";  // prose: no program, so no answer
    return "def solution():\n    import socket\n    socket.create_connection(('127.0.0.1', 22), 2)\n    return 9\n";
  };
  const EvalConfig config = config_for(dir / "problems.jsonl", ProgramMode::solution_call);
  EvalRunOptions options;
  options.results_dir = dir / "results";
  size_t requests = 0;
  const EvalSummary summary = run_eval(config, scripted(tok, reply, &requests), tok, options);
  CHECK(requests == 4);
  REQUIRE(summary.problems == 4);
  REQUIRE(summary.metrics.size() == 1);
  CHECK(summary.metrics[0].second == Approx(0.25));  // only the apples program returns the gold
  const auto samples = test::read_jsonl(dir / "results/samples.jsonl");
  REQUIRE(samples.size() == 4);
  CHECK(samples[0]["extracted"] == "15");
  CHECK(samples[0]["correct"] == true);
  CHECK(samples[1]["extracted"] == "4");  // the fenced block's program ran: 4, not the gold 5
  CHECK(samples[1]["correct"] == false);
  CHECK(samples[2]["extracted"] == "");   // the text's 7 is not read: a program's value is graded
  CHECK(samples[3]["extracted"] == "");   // no network in the sandbox: the program failed
  CHECK(samples[3]["correct"] == false);

  // a resumed run generates nothing; the stored completions' programs run again
  options.resume = true;
  size_t resumed_requests = 0;
  const EvalSummary again = run_eval(config, scripted(tok, reply, &resumed_requests), tok, options);
  CHECK(resumed_requests == 0);
  CHECK(again.metrics[0].second == Approx(0.25));
  const auto resumed = test::read_jsonl(dir / "results/samples.jsonl");
  REQUIRE(resumed.size() == 4);
  CHECK(resumed[0]["extracted"] == "15");
  CHECK(resumed[1]["extracted"] == "4");
  CHECK(test::no_children_left());
}

TEST_CASE("eval run, tool-integrated: the code block runs, its output joins the completion, generation goes on") {
  REQUIRE_SANDBOX();
  auto data = test::required_shared_data();
  if (!data) return;
  const Tokenizer tok = Tokenizer::load(*data / "tokenizers/gpt2/tokenizer.json");
  const fs::path dir = test::temp_dir("eval-run-tool");
  {
    std::ofstream out(dir / "problems.jsonl");
    out << R"({"question": "Six sevens?", "answer": "#### 42"})" "\n"
        << R"({"question": "Nothing to compute: 3?", "answer": "#### 3"})" "\n";
  }
  // The model trusts the tool: after ```output it reads the value back from its own prompt.
  const auto reply = [](const std::string& prompt) -> std::string {
    if (prompt.find("Six sevens") != std::string::npos) {
      const size_t out = prompt.find("```output\n");
      if (out == std::string::npos) return "Let me compute.\n```python\nprint(6 * 7)\n```\n```output\n40 (a guess)";
      const std::string value = prompt.substr(out + 10, prompt.find('\n', out + 10) - out - 10);
      return "The answer is " + value + ".";
    }
    return "The answer is 3.";
  };
  EvalConfig config = config_for(dir / "problems.jsonl", ProgramMode::tool);
  EvalRunOptions options;
  options.results_dir = dir / "results";
  size_t requests = 0;
  const EvalSummary summary = run_eval(config, scripted(tok, reply, &requests), tok, options);
  CHECK(requests == 3);  // round 1: both problems; round 2: only the one that called the tool
  CHECK(summary.metrics[0].second == Approx(1.0));
  const auto samples = test::read_jsonl(dir / "results/samples.jsonl");
  REQUIRE(samples.size() == 2);
  // the model's own guess after ```output is replaced by what the sandbox printed
  CHECK(samples[0]["completion"] == "Let me compute.\n```python\nprint(6 * 7)\n```\n```output\n42\n```\nThe answer is 42.");
  CHECK(samples[0]["extracted"] == "42");
  CHECK(samples[0]["finish_reason"] == "eos");
  CHECK(samples[0]["generated_tokens"].get<int64_t>() > 0);
  CHECK(samples[1]["completion"] == "The answer is 3.");
  CHECK(test::no_children_left());
}

TEST_CASE("eval run with a program mode fails before generating when the sandbox cannot run") {
  auto data = test::required_shared_data();
  if (!data) return;
  const Tokenizer tok = Tokenizer::load(*data / "tokenizers/gpt2/tokenizer.json");
  const fs::path dir = test::temp_dir("eval-run-no-sandbox");
  { std::ofstream(dir / "problems.jsonl") << R"({"question": "1?", "answer": "#### 1"})" "\n"; }
  EvalConfig config = config_for(dir / "problems.jsonl", ProgramMode::solution_call);
  config.program.sandbox.bwrap = "no-such-bwrap";
  size_t requests = 0;
  const GenerateCall counting = [&](std::span<const GenerationRequest> r, const SamplingConfig&, const StopCheck&) {
    requests += r.size();
    return std::vector<Generation>(r.size());
  };
  EvalRunOptions options;
  options.results_dir = dir / "results";
  CHECK_THROWS_WITH(run_eval(config, counting, tok, options),
                    Catch::Contains("'no-such-bwrap' not found") && Catch::Contains("bubblewrap"));
  CHECK(requests == 0);
  CHECK_FALSE(fs::exists(dir / "results/samples.jsonl"));
}
