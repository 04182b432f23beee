// Benchmark loaders on every shared data file, the prompt formats against DeepSeek-Math's
// exact strings, the configs in configs/eval/, and an EvalTask round trip through a results
// directory (write, read back, compare).
#include <catch2/catch.hpp>

#include <fstream>

#include "config/load.hpp"
#include "core/files.hpp"
#include "data/jsonl.hpp"
#include "eval/benchmark.hpp"
#include "eval/eval_config.hpp"
#include "eval/eval_task.hpp"
#include "eval/grade_sample.hpp"
#include "eval/prompt_format.hpp"
#include "reference.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::eval;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The message and the hint of the Error `f` throws.
template <class F>
std::string error_text(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.what()) + "\nhint: " + e.hint();
  }
  return "no error";
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("benchmarks: every shared data file loads with the expected counts and golds") {
  auto data = test::required_shared_data();
  if (!data) return;
  struct Expect {
    BenchmarkKind kind;
    const char* file;
    size_t count;
    const char* first_id;
    const char* first_gold;
  };
  const std::vector<Expect> expected{
      {BenchmarkKind::gsm8k, "gsm8k/test.jsonl", 1319, "gsm8k-test-0", "18"},
      {BenchmarkKind::gsm8k, "deepseek-math-eval/gsm8k/test.jsonl", 1319, "gsm8k-test-0", "18"},
      {BenchmarkKind::math, "math/math_test_5000.jsonl", 5000, "math-0", "2"},
      {BenchmarkKind::math, "math/math500_test.jsonl", 500, "test/precalculus/807.json", "\\left( 3, \\frac{\\pi}{2} \\right)"},
      {BenchmarkKind::cmath, "deepseek-math-eval/cmath/test.jsonl", 1098, "cmath-0", "18"},
      {BenchmarkKind::mgsm_zh, "deepseek-math-eval/mgsm_zh/mgsm_zh.jsonl", 250, "mgsm-zh-0", "18"},
      {BenchmarkKind::mmlu_stem, "deepseek-math-eval/mmlu_stem/test.jsonl", 3018, "mmlu-stem-0", "B"},
      {BenchmarkKind::gaokao_mathqa, "deepseek-math-eval/agieval/gaokao-mathqa.jsonl", 351, "gaokao-mathqa-0", "D"},
      {BenchmarkKind::gaokao_mathcloze, "deepseek-math-eval/agieval/gaokao-mathcloze.jsonl", 118, "gaokao-mathcloze-0", "2"},
  };
  for (const auto& e : expected) {
    INFO(e.file);
    const Benchmark b = load_benchmark(e.kind, *data / e.file);
    CHECK(b.problems.size() == e.count);
    CHECK(b.problems[0].id == e.first_id);
    CHECK(b.problems[0].gold == e.first_gold);
    CHECK(b.style == answer_style_of(e.kind));
  }
  const Benchmark cloze = load_benchmark(BenchmarkKind::gaokao_mathcloze, *data / "deepseek-math-eval/agieval/gaokao-mathcloze.jsonl");
  CHECK(cloze.problems[1].gold == "5;10");  // "$5$;$10$"
  const Benchmark mmlu = load_benchmark(BenchmarkKind::mmlu_stem, *data / "deepseek-math-eval/mmlu_stem/test.jsonl");
  CHECK(ends_with(mmlu.problems[0].question,
                  "over Q.\nWhat of the following is the right choice? Explain your answer.\n(A) 0, (B) 4, (C) 2, (D) 6"));
  // a Python NaN option (line 109) renders as DeepSeek's str(nan)
  CHECK(ends_with(mmlu.problems[108].question, "(A) nan, (B) I only, (C) II only, (D) III only"));
  const Benchmark qa = load_benchmark(BenchmarkKind::gaokao_mathqa, *data / "deepseek-math-eval/agieval/gaokao-mathqa.jsonl", 1);
  CHECK_THAT(qa.problems[0].question, Contains("\n\u4ece\u4ee5\u4e0b\u9009\u9879\u4e2d\u9009\u62e9:    (A)"));
  const Benchmark math = load_benchmark(BenchmarkKind::math, *data / "math/math_test_5000.jsonl", 3);
  CHECK(math.problems.size() == 3);
  CHECK(math.problems[0].meta["type"] == "Algebra");
}

TEST_CASE("benchmarks: a MATH gold is every boxed answer of the reference solution") {
  auto data = test::required_shared_data();
  if (!data) return;
  const Benchmark math = load_benchmark(BenchmarkKind::math, *data / "math/math_test_5000.jsonl");
  REQUIRE(math.problems.size() == 5000);
  // "the answers are $\boxed{-2}$ and $\boxed{1}$" (test problem 414): both, as DeepSeek's
  // extract_math_answer takes them; the last box alone lost -2
  CHECK(math.problems[414].gold == "-2, 1");
  CHECK(math.problems[4860].gold == "\\frac{\\pi}{4}, \\frac{5\\pi}{4}");
  CHECK(math.problems[4559].gold == "-1, 2");
  // a box that repeats an answer in another spelling counts once: "x+11 or 11+x"
  CHECK(math.problems[3628].gold == "x+11");
  CHECK(math.problems[4444].gold == "1188");  // the same box twice
  CHECK(math.problems[3837].gold == "4");     // "\phantom{2}" is a drawing's placeholder box
  // the MATH500 file has an "answer" field, which is the gold as given
  const Benchmark m500 = load_benchmark(BenchmarkKind::math, *data / "math/math500_test.jsonl");
  CHECK(m500.problems[0].gold == "\\left( 3, \\frac{\\pi}{2} \\right)");
  // the solutions still grade correct against their own gold (every box is in them)
  for (size_t i : {414u, 4860u, 4559u, 3628u, 2152u}) {
    const auto records = test::read_jsonl(*data / "math/math_test_5000.jsonl");
    INFO(i);
    CHECK(grade_completion(records[i]["solution"].get<std::string>(), math.problems[i].gold, AnswerStyle::math,
                           default_stop_markers(AnswerStyle::math))
              .correct);
  }
}

TEST_CASE("benchmarks: Gaokao-MathQA keeps the space before trailing backslashes, as DeepSeek's rstrip('\\\\')") {
  auto data = test::required_shared_data();
  if (!data) return;
  const fs::path file = *data / "deepseek-math-eval/agieval/gaokao-mathqa.jsonl";
  const Benchmark qa = load_benchmark(BenchmarkKind::gaokao_mathqa, file);
  const auto records = test::read_jsonl(file);
  REQUIRE(qa.problems.size() == records.size());
  const std::string marker = "\n\u4ece\u4ee5\u4e0b\u9009\u9879\u4e2d\u9009\u62e9:    ";
  size_t with_space = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string& q = qa.problems[i].question;
    const size_t at = q.find(marker);
    REQUIRE(at != std::string::npos);
    if (at > 0 && q[at - 1] == ' ') ++with_space;
  }
  CHECK(with_space == 12);  // counted in the data file by hand: 12 questions end in " \\"
}

TEST_CASE("benchmarks: SAT and OCW Courses files in DeepSeek-Math's format") {
  // tests/eval/data holds made-up items in the two public file formats (the real test files
  // are not in shared/data, their license could not be confirmed)
  const fs::path dir = test::source_dir() / "tests/eval/data";
  const Benchmark sat = load_benchmark(BenchmarkKind::sat, dir / "sat_format.jsonl");
  REQUIRE(sat.problems.size() == 2);
  CHECK(sat.style == AnswerStyle::choice);
  CHECK(sat.problems[0].id == "sat-0");
  CHECK(sat.problems[0].gold == "C");
  // process_math_sat: '(' before the first letter, " B) " -> " (B) ", below the MMLU wording
  CHECK(sat.problems[0].question ==
        "If $3x + 5 = 20$, what is the value of $x$?\nWhat of the following is the right choice? Explain your answer.\n"
        "(A) 3 (B) 4 (C) 5 (D) 15");
  CHECK(sat.problems[1].question ==
        "Which point lies on the line $y = 2x$?\nWhat of the following is the right choice? Explain your answer.\n"
        "(A) $(1,3)$ (B) $(2,4)$ (C) $(3,5)$ (D) $(0,1)$");
  const Benchmark ocw = load_benchmark(BenchmarkKind::ocw, dir / "ocw_format.jsonl");
  REQUIRE(ocw.problems.size() == 3);
  CHECK(ocw.style == AnswerStyle::ocw);
  CHECK(ocw.problems[0].id == "ocw-0");
  CHECK(ocw.problems[0].gold == "1.6");
  CHECK(ocw.problems[2].gold == "\\frac{1}{2} m v^2");
  CHECK(ocw.problems[0].question.rfind("Subproblem 0:", 0) == 0);
  const fs::path bad = test::temp_dir("eval-sat") / "bad.jsonl";
  write_text(bad, "{\"question\": \"q\", \"options\": \"(A) 1 (B) 2\", \"Answer\": \"A\"}\n");
  CHECK_THROWS_WITH(load_benchmark(BenchmarkKind::sat, bad), Contains("bad.jsonl:1") && Contains("options"));
}

TEST_CASE("EvalTask: a zero-shot chat answer is not cut at few-shot markers") {
  Benchmark b;
  b.name = "math";
  b.style = AnswerStyle::math;
  b.problems.push_back({"p0", "What is 2+3?", "5", Json::object()});
  const EvalTask chat(b, chat_format(std::string(kInstructTemplate)));
  // an instruct answer that restates the problem before solving it
  const std::string completion = "Let me restate it.\nProblem: add 2 and 3.\nSo the sum is $\\boxed{5}$.";
  const ProblemOutcome o = chat.grade(0, {completion});
  CHECK(o.samples[0].grade.extracted == "5");
  CHECK(o.samples[0].grade.correct);
  // a few-shot completion that ran on into the next exemplar is still cut there
  PromptFormat few = chat_format("Problem:\n{question}\n\nSolution:");
  few.few_shot = true;
  const EvalTask base(b, few);
  const ProblemOutcome cut = base.grade(0, {"The answer is 4.\nProblem: next one\nThe answer is 5."});
  CHECK(cut.samples[0].grade.extracted == "4");
  // finish reason and token count travel into the sample record
  const ProblemOutcome g = chat.grade(0, std::vector<Completion>{{completion, "eos", 17}});
  const Json record = sample_record(g, 0, true);
  CHECK(record["finish_reason"] == "eos");
  CHECK(record["generated_tokens"] == 17);
  CHECK(record["prompt"] == "User: What is 2+3?\nPlease reason step by step, and put your final answer within \\boxed{}.\n\nAssistant:");
}

TEST_CASE("prompt formats: the tokenizer's chat template, with a system prompt and few-shot turns") {
  auto data = test::required_shared_data();
  if (!data) return;
  const std::string bos = "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
  const std::string eos = "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
  EvalConfig cfg;
  cfg.benchmark = BenchmarkKind::gsm8k;
  cfg.data = (*data / "gsm8k/test.jsonl").string();
  cfg.limit = 1;
  cfg.prompt.kind = PromptKind::tokenizer_chat;
  cfg.prompt.tokenizer_config = (*data / "tokenizers/deepseek-math/tokenizer_config.json").string();
  const EvalTask zero = EvalTask::from_config(cfg);
  const std::string q = zero.benchmark().problems[0].question;
  // the DeepSeek template renders exactly the chat_template text of the instruct configs, BOS included
  CHECK(zero.prompt(0) == bos + chat_format(std::string(kInstructTemplate)).render(q));
  CHECK(zero.prompt_format().includes_special_tokens);
  cfg.prompt.system_prompt = "You are a careful mathematician.";
  CHECK(EvalTask::from_config(cfg).prompt(0).rfind(bos + "You are a careful mathematician.\n\nUser: ", 0) == 0);
  // few-shot as earlier turns: the 8 GSM8K exemplars, each a user and an assistant message
  cfg.prompt.system_prompt.clear();
  cfg.prompt.few_shot_turns = true;
  cfg.prompt.few_shot_key = "cot_gsm_8_shot";
  cfg.prompt.user_message = "{question}";
  cfg.prompt.few_shot_file = (*data / "fewshot/deepseek_math_fewshot_prompts.json").string();
  const std::string p = EvalTask::from_config(cfg).prompt(0);
  CHECK(p.rfind(bos + "User: There are 15 trees in the grove.", 0) == 0);
  size_t turns = 0;
  for (size_t pos = 0; (pos = p.find(eos, pos)) != std::string::npos; ++pos) ++turns;
  CHECK(turns == 8);
  CHECK(ends_with(p, "User: " + q + "\n\nAssistant:"));
  const auto exemplars = few_shot_exemplars(load_few_shot_format(cfg.prompt.few_shot_file, "cot_gsm_8_shot"));
  REQUIRE(exemplars.size() == 8);
  CHECK(ends_with(exemplars[0].second, "The answer is 6."));
  CHECK(few_shot_exemplars(load_few_shot_format(cfg.prompt.few_shot_file, "cot_minerva_math_4_shot")).size() == 4);
  // Gaokao's numbered exemplars ("问题 1." ... "问题 6.") do not split at the template's "问题 6."
  CHECK_THROWS_WITH(few_shot_exemplars(load_few_shot_format(cfg.prompt.few_shot_file, "cot_gaokao_mathqa_5_shot")),
                    Contains("no exemplar starts with"));
}

TEST_CASE("benchmarks: malformed files fail with file:line") {
  const fs::path dir = test::temp_dir("eval-bench");
  write_text(dir / "bad.jsonl", "{\"question\": \"q\", \"answer\": \"x #### 3\"}\n{broken\n");
  CHECK_THROWS_WITH(load_benchmark(BenchmarkKind::gsm8k, dir / "bad.jsonl"), Contains("bad.jsonl:2"));
  write_text(dir / "nofield.jsonl", "{\"question\": \"q\"}\n");
  CHECK_THROWS_WITH(load_benchmark(BenchmarkKind::gsm8k, dir / "nofield.jsonl"),
                    Contains("nofield.jsonl:1") && Contains("\"answer\""));
  write_text(dir / "nobox.jsonl", "{\"problem\": \"p\", \"solution\": \"no box\"}\n");
  CHECK_THROWS_WITH(load_benchmark(BenchmarkKind::math, dir / "nobox.jsonl"), Contains("nobox.jsonl:1"));
  CHECK_THROWS_WITH(load_benchmark(BenchmarkKind::math, dir / "missing.jsonl"), Contains("does not exist"));
  write_text(dir / "ok.jsonl", "{\"question\": \"q\", \"answer\": \"3 * 4 = 12\\n#### 1,200\"}\n");
  CHECK(load_benchmark(BenchmarkKind::gsm8k, dir / "ok.jsonl").problems[0].gold == "1200");
}

TEST_CASE("prompt formats: DeepSeek-Math few-shot templates and the chat format, exactly") {
  auto data = test::required_shared_data();
  if (!data) return;
  const fs::path file = *data / "fewshot/deepseek_math_fewshot_prompts.json";
  const PromptFormat gsm = load_few_shot_format(file, "cot_gsm_8_shot");
  const std::string p = gsm.render("What is 2+3?");
  CHECK(p.rfind("Q: There are 15 trees in the grove.", 0) == 0);
  CHECK(ends_with(p, "The answer is 8.\n\n\nQ: What is 2+3?\nA:"));  // template rstrip()ped after "A: "
  CHECK(gsm.stop_words == std::vector<std::string>{"\nQ:"});
  size_t shots = 0;
  for (size_t pos = 0; (pos = p.find("\nA: ", pos)) != std::string::npos; ++pos) ++shots;
  CHECK(shots == 8);  // 8 exemplars (the first one's "Q:" is at the start, each answer follows "\nA: ")

  const PromptFormat minerva = load_few_shot_format(file, "cot_minerva_math_4_shot");
  const std::string m = minerva.render("Compute $1+1$.");
  CHECK(m.rfind("Problem:\nFind the domain of the expression", 0) == 0);
  CHECK(ends_with(m, "I hope it is correct.\n\nProblem:\nCompute $1+1$.\n\nSolution:"));
  CHECK(minerva.stop_words == std::vector<std::string>{"\nProblem:"});

  // placeholders inside the question are not substituted again
  CHECK(ends_with(gsm.render("say {task_output} and {few_shot_prompt}"), "Q: say {task_output} and {few_shot_prompt}\nA:"));

  const PromptFormat chat = chat_format(std::string(kInstructTemplate));
  CHECK(chat.render("What is 2+3?") ==
        "User: What is 2+3?\nPlease reason step by step, and put your final answer within \\boxed{}.\n\nAssistant:");
  CHECK(chat.stop_words.empty());
  CHECK_THAT(error_text([&] { load_few_shot_format(file, "cot_gsm_8_shots"); }), Contains("did you mean 'cot_gsm_8_shot'"));
  CHECK_THROWS_WITH(chat_format("no placeholder"), Contains("{question}"));
}

TEST_CASE("configs/eval: every file loads; limits and k's are validated") {
  auto data = test::required_shared_data();
  if (!data) return;
  const fs::path configs = test::source_dir() / "configs/eval";
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(configs)) {
    if (entry.path().extension() != ".yaml") continue;
    ++n;
    INFO(entry.path().string());
    config::ConfigSources sources;
    sources.file = entry.path();
    const EvalConfig probe = config::load_config<EvalConfig>(sources);
    // configs name data relative to the repository root; tests run elsewhere. SAT and OCW
    // files are not in shared/data: their configs run on the format samples of tests/eval/data.
    std::string data_file = (*data / fs::relative(probe.data, "../shared/data")).string();
    if (probe.benchmark == BenchmarkKind::sat) data_file = (test::source_dir() / "tests/eval/data/sat_format.jsonl").string();
    if (probe.benchmark == BenchmarkKind::ocw) data_file = (test::source_dir() / "tests/eval/data/ocw_format.jsonl").string();
    sources.overrides = {"data=" + data_file, "limit=2",
                         "prompt.few_shot_file=" + (*data / "fewshot/deepseek_math_fewshot_prompts.json").string()};
    if (probe.prompt.kind == PromptKind::tokenizer_chat)  // `eval run` fills in the model's
      sources.overrides.push_back("prompt.tokenizer_config=" + (*data / "tokenizers/deepseek-math/tokenizer_config.json").string());
    const EvalConfig cfg = config::load_config<EvalConfig>(sources);
    const EvalTask task = EvalTask::from_config(cfg);
    CHECK(task.size() == 2);
    CHECK_FALSE(task.prompt(0).empty());
  }
  CHECK(n >= 14);
  config::ConfigSources bad;
  bad.overrides = {"pass_k=[1,8]"};
  CHECK_THROWS_WITH(config::load_config<EvalConfig>(bad), Contains("n_samples"));
  bad.overrides = {"n_samples=8"};  // 8 greedy samples would all be the same
  CHECK_THROWS_WITH(config::load_config<EvalConfig>(bad), Contains("temperature is 0"));
  bad.overrides = {"n_samples=8", "sampling.temperature=0.7", "maj_k=[8]"};
  CHECK(config::load_config<EvalConfig>(bad).sampling.max_new_tokens == 1024);
}

TEST_CASE("EvalTask: grade completions, write the results directory, read it back, compare") {
  auto data = test::required_shared_data();
  if (!data) return;
  EvalConfig cfg;
  cfg.benchmark = BenchmarkKind::gsm8k;
  cfg.data = (*data / "gsm8k/test.jsonl").string();
  cfg.limit = 2;
  cfg.prompt.few_shot_key = "cot_gsm_8_shot";
  cfg.prompt.few_shot_file = (*data / "fewshot/deepseek_math_fewshot_prompts.json").string();
  cfg.n_samples = 3;
  cfg.sampling.temperature = 0.7;
  cfg.pass_k = {1, 3};
  cfg.maj_k = {3};
  const EvalTask task = EvalTask::from_config(cfg);
  REQUIRE(task.size() == 2);
  CHECK(task.stop_words() == std::vector<std::string>{"\nQ:"});
  std::vector<ProblemOutcome> run_a, run_b;
  // problem 0 (gold 18): right, wrong, right after running on into the next exemplar
  run_a.push_back(task.grade(0, {" 16 - 3 - 4 = 9 eggs, 9 * 2 = 18. The answer is 18.", " The answer is 20.",
                                 " The answer is 18.\n\nQ: Next?\nA: The answer is 5."}));
  // problem 1 (gold 3): all wrong, one without any number
  run_a.push_back(task.grade(1, {" The answer is 2.", " I am not sure.", " The answer is 4."}));
  run_b.push_back(task.grade(0, {" The answer is 17.", " The answer is 17.", " The answer is 18."}));
  run_b.push_back(task.grade(1, {" The answer is 3.", " The answer is 3.", " The answer is 3."}));
  CHECK(run_a[0].samples[2].grade.correct);
  CHECK(run_a[1].samples[1].grade.extracted.empty());

  const EvalSummary sa = task.summarize(run_a, {cfg.pass_k, cfg.maj_k});
  CHECK(sa.metrics[0] == std::pair<std::string, double>{"pass@1", (2.0 / 3 + 0) / 2});
  CHECK(sa.metrics[1].second == Approx(0.5));  // pass@3
  CHECK(sa.metrics[2].second == Approx(0.5));  // maj@3: 18 wins problem 0, problem 1 has a three-way tie
  const EvalSummary sb = task.summarize(run_b, {cfg.pass_k, cfg.maj_k});

  const fs::path dir = test::temp_dir("eval-results");
  write_results(dir / "a", run_a, sa, Json{{"benchmark", "gsm8k"}}, false);
  write_results(dir / "b", run_b, sb, Json());
  std::vector<Json> lines;
  LineReader reader(dir / "a/samples.jsonl");
  for (std::string line; reader.next(line);) lines.push_back(parse_json_object(line, reader.where()));
  REQUIRE(lines.size() == 6);
  CHECK(lines[0]["id"] == "gsm8k-test-0");
  CHECK(lines[0]["prompt"].get<std::string>() == task.prompt(0));
  CHECK_FALSE(lines[1].contains("prompt"));  // prompt_in_every_sample = false
  CHECK(lines[1]["extracted"] == "20");
  CHECK(lines[1]["correct"] == false);
  CHECK(lines[0]["extraction"] == "answer is");
  const Json summary = Json::parse(read_file(dir / "a/summary.json"));
  CHECK(summary["metrics"]["maj@3"].get<double>() == Approx(0.5));
  CHECK(summary["config"]["benchmark"] == "gsm8k");
  CHECK(summary["grading_policy"] == "default");
  CHECK_THAT(summary["grading_rules"].get<std::string>(), Contains("bracket types"));

  const std::string table = compare_results(dir / "a", dir / "b");
  CHECK_THAT(table, Contains("pass@1"));
  CHECK_THAT(table, Contains("+33.33"));  // pass@1: 1/3 -> 2/3
  CHECK_THAT(table, Contains("both right 0, only A 1, only B 1, both wrong 0"));
  CHECK_THROWS_WITH(compare_results(dir / "a", dir / "nothing"), Contains("no summary.json"));
}
