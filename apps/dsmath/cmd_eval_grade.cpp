// dsmath eval grade: grade a file of existing completions (ours or another system's: lm-evaluation-
// harness sample logs, vLLM/OpenAI outputs, DeepSeek-Math predictions; JSONL or a JSON array).
#include <iostream>
#include <memory>

#include "cmd_eval.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "eval/benchmark.hpp"
#include "eval/grade_file.hpp"
#include "eval/program_answer.hpp"

namespace dsmath::app {

namespace {

struct GradeOptions {
  std::string input, output, benchmark = "generic", results_dir;
  std::string completion_field = "completion", answer_field = "answer", id_field;
  std::vector<int> pass_k{1}, maj_k;
  double tolerance = eval::GradePolicy{}.relative_tolerance;
  std::string policy = "default";
  bool no_cut = false;
  bool execute = false;
  std::string program;  // "" = the benchmark's PAL format
  double timeout_seconds = eval::ProgramConfig{}.sandbox.limits.wall_seconds;
  int parallel = 0;
};

// A benchmark name (its answer style) or a style name.
std::pair<eval::AnswerStyle, std::string> style_of(const std::string& name) {
  if (auto kind = config::enum_from_name<eval::BenchmarkKind>(name)) return {eval::answer_style_of(*kind), name};
  if (auto style = config::enum_from_name<eval::AnswerStyle>(name)) return {*style, name};
  std::vector<std::string> names = config::enum_names<eval::BenchmarkKind>();
  for (const auto& s : config::enum_names<eval::AnswerStyle>())
    if (std::find(names.begin(), names.end(), s) == names.end()) names.push_back(s);
  const std::string guess = closest_match(name, names);
  fail_hint(guess.empty() ? "choose one of: " + join(names, ", ") : "did you mean '" + guess + "'?",
            "--benchmark: unknown benchmark or answer style '{}'", name);
}

}  // namespace

void register_eval_grade(CLI::App& eval) {
  auto o = std::make_shared<GradeOptions>();
  auto* cmd = eval.add_subcommand("grade", "grade existing completions (JSONL or a JSON array: a completion and a gold answer per record)");
  cmd->add_option("-i,--input", o->input, "JSONL or JSON array of completions")->required();
  cmd->add_option("-o,--output", o->output, "JSONL written: each input line plus \"extracted\" and \"correct\"")->required();
  cmd->add_option("-b,--benchmark", o->benchmark,
                  "answer format: gsm8k, math, cmath, mgsm-zh, mmlu-stem, gaokao-mathqa, gaokao-mathcloze, sat, ocw, or generic");
  cmd->add_option("--completion-field", o->completion_field,
                  "path of the model output: a key, dotted keys and list indices (outputs.0.text, resps.0.0), * for every "
                  "element (outputs.*.text); a list of strings grades each as a sample");
  cmd->add_option("--answer-field", o->answer_field,
                  "path of the gold answer (a final answer, a solution ending in '#### N' or \\boxed{}, or a list of parts): "
                  "answer, doc.answer, target");
  cmd->add_option("--id-field", o->id_field,
                  "path naming the problem (doc_id, id); records sharing it are samples of one problem (enables pass@k, maj@k)");
  cmd->add_option("--policy", o->policy, "grading policy: default, or deepseek (DeepSeek-Math's rules)")
      ->check(CLI::IsMember({"default", "deepseek"}));
  cmd->add_flag("--no-cut", o->no_cut,
                "do not cut completions at few-shot markers (\\nProblem:, \\nQ:): for zero-shot chat outputs");
  cmd->add_option("--pass-k", o->pass_k, "report unbiased pass@k for these k")->delimiter(',');
  cmd->add_option("--maj-k", o->maj_k, "report majority-vote maj@k for these k")->delimiter(',');
  cmd->add_option("--results-dir", o->results_dir, "also write samples.jsonl and summary.json here (for eval compare)");
  cmd->add_option("--tolerance", o->tolerance, "relative numeric tolerance of the grader")->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--execute", o->execute,
                "run each completion's program in the sandbox and grade the value it produces (program-of-thought; "
                "docs/eval.md)");
  cmd->add_option("--program", o->program,
                  "with --execute: solution_call (PAL GSM8K), answer_variable (PAL MATH) or printed "
                  "(default: solution_call for gsm8k-style answers, answer_variable for math, else printed)");
  cmd->add_option("--timeout", o->timeout_seconds, "with --execute: wall-clock seconds per program")->check(CLI::PositiveNumber);
  cmd->add_option("--parallel", o->parallel, "with --execute: programs at once (0 = one per core)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o] {
    eval::GradeFileOptions options;
    options.input = o->input;
    options.output = o->output;
    std::tie(options.style, options.benchmark_name) = style_of(o->benchmark);
    options.completion_field = o->completion_field;
    options.answer_field = o->answer_field;
    options.id_field = o->id_field;
    options.metrics.pass_k = o->pass_k;
    options.metrics.maj_k = o->maj_k;
    if (o->policy == "deepseek") options.policy = eval::deepseek_policy();
    else options.policy.relative_tolerance = o->tolerance;
    options.cut_at_markers = !o->no_cut;
    if (o->execute) options.execute = eval::execute_options(o->program, options.style, o->timeout_seconds, o->parallel);
    else if (!o->program.empty()) fail_hint("add --execute", "--program is given without --execute");
    if (!o->results_dir.empty()) options.results_dir = o->results_dir;
    const eval::GradeFileReport report = eval::grade_jsonl_file(options);
    std::cout << report.text();
  });
}

}  // namespace dsmath::app
