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
#include "eval/prompt_format.hpp"
#include "reference.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::eval;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

std::optional<fs::path> shared_data_or_skip() {
  auto data = test::shared_data_dir();
  test::reference_present(data.has_value(), "../shared/data (set DSMATH_SHARED_DATA)");
  return data;
}

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
  auto data = shared_data_or_skip();
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
  auto data = shared_data_or_skip();
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
  auto data = shared_data_or_skip();
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
    // configs name data relative to the repository root; tests run elsewhere
    const std::string data_file = (*data / fs::relative(probe.data, "../shared/data")).string();
    sources.overrides = {"data=" + data_file, "limit=2",
                         "prompt.few_shot_file=" + (*data / "fewshot/deepseek_math_fewshot_prompts.json").string()};
    const EvalConfig cfg = config::load_config<EvalConfig>(sources);
    const EvalTask task = EvalTask::from_config(cfg);
    CHECK(task.size() == 2);
    CHECK_FALSE(task.prompt(0).empty());
  }
  CHECK(n >= 4);
  config::ConfigSources bad;
  bad.overrides = {"pass_k=[1,8]"};
  CHECK_THROWS_WITH(config::load_config<EvalConfig>(bad), Contains("n_samples"));
  bad.overrides = {"n_samples=8"};  // 8 greedy samples would all be the same
  CHECK_THROWS_WITH(config::load_config<EvalConfig>(bad), Contains("temperature is 0"));
  bad.overrides = {"n_samples=8", "sampling.temperature=0.7", "maj_k=[8]"};
  CHECK(config::load_config<EvalConfig>(bad).sampling.max_new_tokens == 1024);
}

TEST_CASE("EvalTask: grade completions, write the results directory, read it back, compare") {
  auto data = shared_data_or_skip();
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
  CHECK_THAT(summary["grading_policy"].get<std::string>(), Contains("bracket types"));

  const std::string table = compare_results(dir / "a", dir / "b");
  CHECK_THAT(table, Contains("pass@1"));
  CHECK_THAT(table, Contains("+33.33"));  // pass@1: 1/3 -> 2/3
  CHECK_THAT(table, Contains("both right 0, only A 1, only B 1, both wrong 0"));
  CHECK_THROWS_WITH(compare_results(dir / "a", dir / "nothing"), Contains("no summary.json"));
}
