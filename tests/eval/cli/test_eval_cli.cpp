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
  CHECK_THAT(r.output, Contains("grading policy (default):"));
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

TEST_CASE("eval grade: lm-evaluation-harness sample logs (doc_id, doc.answer, resps.0.0)") {
  const fs::path dir = test::temp_dir("eval-grade-lmeval");
  // the record layout of lm-evaluation-harness 0.4 --log_samples (samples_gsm8k_*.jsonl)
  const Json a = {{"doc_id", 0},
                  {"doc", {{"question", "Janet has 3 apples and buys 15 more. How many?"}, {"answer", "3 + 15 = <<3+15=18>>18\n#### 18"}}},
                  {"target", "3 + 15 = <<3+15=18>>18\n#### 18"},
                  {"arguments", {{"gen_args_0", {{"arg_0", "Q: ...\nA:"}, {"arg_1", {{"until", {"Question:"}}}}}}}},
                  {"resps", {{" She has 3 + 15 = 18 apples. The answer is 18."}}},
                  {"filtered_resps", {"18"}},
                  {"exact_match", 1.0}};
  const Json b = {{"doc_id", 1},
                  {"doc", {{"question", "What is 2 + 2?"}, {"answer", "2 + 2 = 4\n#### 4"}}},
                  {"target", "2 + 2 = 4\n#### 4"},
                  {"resps", {{" 2 + 2 = 5. The answer is 5."}}},
                  {"filtered_resps", {"5"}},
                  {"exact_match", 0.0}};
  write_text(dir / "samples_gsm8k.jsonl", a.dump() + "\n" + b.dump() + "\n");
  const auto r = test::run_dsmath("eval grade -i " + (dir / "samples_gsm8k.jsonl").string() + " -o " +
                                  (dir / "out.jsonl").string() +
                                  " -b gsm8k --completion-field resps.0.0 --answer-field doc.answer --id-field doc_id");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("graded 2 of 2 lines: accuracy 50.00% (1/2)"));
  const auto out = test::read_jsonl(dir / "out.jsonl");
  REQUIRE(out.size() == 2);
  CHECK(out[0]["extracted"] == "18");
  CHECK(out[0]["correct"] == true);
  CHECK(out[1]["extracted"] == "5");
  CHECK(out[0]["doc"]["question"] == a["doc"]["question"]);  // the record is kept whole
}

TEST_CASE("eval grade: vLLM and OpenAI outputs, n samples per request as a list, JSON arrays") {
  const fs::path dir = test::temp_dir("eval-grade-vllm");
  // vLLM RequestOutput as JSON: outputs[] with n = 3 samples of one prompt
  Json vllm = Json::array();
  vllm.push_back({{"request_id", "0"},
                  {"prompt", "User: What is 1/2 + 1/4?\n\nAssistant:"},
                  {"gold", "\\frac{3}{4}"},
                  {"outputs", {{{"index", 0}, {"text", " It is $\\boxed{\\frac34}$."}, {"finish_reason", "stop"}},
                               {{"index", 1}, {"text", " It is $\\boxed{0.75}$."}, {"finish_reason", "stop"}},
                               {{"index", 2}, {"text", " It is $\\boxed{1}$."}, {"finish_reason", "length"}}}}});
  vllm.push_back({{"request_id", "1"},
                  {"prompt", "User: What is 2^3?\n\nAssistant:"},
                  {"gold", "8"},
                  {"outputs", {{{"index", 0}, {"text", " $2^3 = \\boxed{8}$"}},
                               {{"index", 1}, {"text", " \\boxed{6}"}},
                               {{"index", 2}, {"text", " \\boxed{8}"}}}}});
  write_text(dir / "vllm.json", vllm.dump(2));  // a JSON array, pretty-printed
  auto r = test::run_dsmath("eval grade -i " + (dir / "vllm.json").string() + " -o " + (dir / "vllm-out.jsonl").string() +
                            " -b math --completion-field outputs.*.text --answer-field gold --id-field request_id "
                            "--pass-k 1,3 --maj-k 3 --results-dir " + (dir / "vllm-run").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("graded 6 of 2 lines: accuracy 66.67% (4/6)"));
  const Json summary = Json::parse(read_file(dir / "vllm-run/summary.json"));
  CHECK(summary["problems"] == 2);
  CHECK(summary["samples_per_problem"] == 3);
  CHECK(summary["metrics"]["pass@1"].get<double>() == Approx((2.0 / 3 + 2.0 / 3) / 2));
  CHECK(summary["metrics"]["pass@3"].get<double>() == Approx(1.0));
  CHECK(summary["metrics"]["maj@3"].get<double>() == Approx(1.0));
  // standard error of pass@1 over the 2 problems: both 2/3, so 0
  CHECK(summary["metrics_stderr"]["pass@1"].get<double>() == Approx(0.0).margin(1e-12));
  const auto out = test::read_jsonl(dir / "vllm-out.jsonl");
  REQUIRE(out.size() == 2);
  CHECK(out[0]["extracted"] == Json({"\\frac34", "0.75", "1"}));
  CHECK(out[0]["correct"] == Json({true, true, false}));

  // OpenAI chat completions: choices.0.message.content; the record a JSONL line
  const Json openai = {{"id", "chatcmpl-1"},
                       {"object", "chat.completion"},
                       {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", "So $x = \\boxed{7}$."}}}, {"finish_reason", "stop"}}}},
                       {"metadata", {{"answer", "7"}}}};
  write_text(dir / "openai.jsonl", openai.dump() + "\n");
  r = test::run_dsmath("eval grade -i " + (dir / "openai.jsonl").string() + " -o " + (dir / "openai-out.jsonl").string() +
                       " -b math --completion-field choices.0.message.content --answer-field metadata.answer");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("accuracy 100.00% (1/1)"));
  // a path that does not resolve is a malformed record naming the path
  r = test::run_dsmath("eval grade -i " + (dir / "openai.jsonl").string() + " -o " + (dir / "x.jsonl").string() +
                       " -b math --completion-field choices.1.message.content --answer-field metadata.answer");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("openai.jsonl:1: missing or non-text field \"choices.1.message.content\""));
}

TEST_CASE("eval grade: DeepSeek-Math predictions (model_output, list-valued MATH answer), policies, --no-cut") {
  const fs::path dir = test::temp_dir("eval-grade-deepseek");
  // DeepSeek-Math's infer/run_cot_eval.py writes each item with its messages, the gold "answer"
  // (a list for MATH: every boxed answer of the solution), "model_output" and "prediction"
  const Json math = {{"dataset", "math-cot"},
                     {"id", "test/algebra/414"},
                     {"messages", {{{"role", "user"}, {"content", "Find all solutions of $\\sqrt{3x+6}=x+2$."}},
                                   {{"role", "assistant"}, {"content", ""}}}},
                     {"answer", {"-2", "1"}},
                     {"model_output", "The solutions are $\\boxed{-2}$ and $\\boxed{1}$."},
                     {"prediction", {"-2", "1"}}};
  const Json sat = {{"dataset", "math-cot"},
                    {"id", "7"},
                    {"answer", "12.0004"},
                    {"model_output", "Problem:\nIt is 12 after all: $\\boxed{12}$."}};
  write_text(dir / "predictions.jsonl", math.dump() + "\n" + sat.dump() + "\n");
  const std::string base = "eval grade -i " + (dir / "predictions.jsonl").string() + " -o " + (dir / "out.jsonl").string() +
                           " -b math --completion-field model_output --id-field id";
  auto r = test::run_dsmath(base);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // the list gold is one answer "-2, 1"; the second completion starts with "Problem:", which
  // is no few-shot marker ("\nProblem:"), and 12 is not 12.0004 under the default policy
  CHECK_THAT(r.output, Contains("accuracy 50.00% (1/2)"));
  auto out = test::read_jsonl(dir / "out.jsonl");
  CHECK(out[0]["correct"] == true);
  r = test::run_dsmath(base + " --policy deepseek");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("accuracy 100.00% (2/2)"));
  CHECK_THAT(r.output, Contains("grading policy (deepseek)"));

  // a zero-shot chat output with "\nProblem:" in it: cut there by default, whole with --no-cut
  const Json chat = {{"id", "c"}, {"answer", "5"}, {"model_output", "Restating.\nProblem: add 2 and 3.\nSo $\\boxed{5}$."}};
  write_text(dir / "chat.jsonl", chat.dump() + "\n");
  const std::string chat_cmd = "eval grade -i " + (dir / "chat.jsonl").string() + " -o " + (dir / "chat-out.jsonl").string() +
                               " -b math --completion-field model_output";
  r = test::run_dsmath(chat_cmd);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("accuracy 0.00% (0/1)"));
  r = test::run_dsmath(chat_cmd + " --no-cut");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("accuracy 100.00% (1/1)"));
}
