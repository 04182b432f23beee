#include "eval/program_answer.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "sandbox/sandbox_pool.hpp"

namespace dsmath::eval {

namespace {

// Printed before the value so that what the program itself prints is not taken for it.
constexpr std::string_view kValueMarker = "\n<<<dsmath program value>>>\n";

// The blocks between ``` fences, in order (an unclosed last fence counts as no block); a
// language tag on the opening line ("```python") is dropped.
std::vector<std::string> fenced_blocks(std::string_view text) {
  std::vector<std::string> blocks;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("```", pos);
    if (open == std::string_view::npos) break;
    const size_t close = text.find("```", open + 3);
    if (close == std::string_view::npos) break;
    std::string_view body = text.substr(open + 3, close - open - 3);
    const size_t eol = body.find('\n');
    if (eol != std::string_view::npos && trim(body.substr(0, eol)).find_first_of(" \t()=") == std::string_view::npos)
      body.remove_prefix(eol + 1);  // "python", "py", or nothing
    blocks.emplace_back(body);
    pos = close + 3;
  }
  return blocks;
}

size_t count_of(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string_view::npos; p = text.find(needle, p + needle.size())) ++n;
  return n;
}

}  // namespace

std::string neutralize_comments(std::string_view code) {
  std::string out;
  bool in_docstring = false;
  for (const auto& raw : split(code, '\n')) {
    std::string line = raw;
    const std::string_view s = trim(line);
    if (s.starts_with("#")) {
      line = line.substr(0, line.find('#')) + "# comments";
    } else if (!in_docstring && s.starts_with("\"\"\"") && s.ends_with("\"\"\"") && s.size() >= 6) {
      line = line.substr(0, line.find("\"\"\"")) + "\"\"\"comments\"\"\"";
    } else if (!in_docstring && s.starts_with("\"\"\"")) {
      in_docstring = true;
    } else if (in_docstring && s.ends_with("\"\"\"")) {
      in_docstring = false;
      line.clear();
    }
    if (!in_docstring) out += line + "\n";
  }
  return out;
}

std::optional<std::string> program_of_completion(std::string_view completion, ProgramMode mode) {
  std::string code;
  std::string value_expression;
  const std::vector<std::string> blocks = fenced_blocks(completion);
  switch (mode) {
    case ProgramMode::solution_call:
    case ProgramMode::printed:
      code = blocks.empty() ? std::string(completion) : blocks.front();
      value_expression = mode == ProgramMode::solution_call ? "solution()" : "";
      break;
    case ProgramMode::answer_variable:
      // run_pal_eval.py: exactly four fences, else the answer is '[invalid]'
      if (count_of(completion, "```") != 4 || blocks.size() != 2) return std::nullopt;
      code = blocks[1] + "\n\n" + blocks[0];
      value_expression = "answer";
      break;
    case ProgramMode::none:
    case ProgramMode::tool:
      return std::nullopt;
  }
  if (trim(code).empty()) return std::nullopt;
  std::string program = neutralize_comments(code);
  if (!value_expression.empty()) {
    // str() of the value as DeepSeek's executor reports it, written after the marker; a
    // program that fails before this line has no value.
    program += "\n\nimport sys as _dsmath_sys\n_dsmath_sys.stdout.write('\\n<<<dsmath program value>>>\\n' + str(" +
               value_expression + "))\n";
  }
  return program;
}

std::string program_value(const sandbox::SandboxResult& run, ProgramMode mode) {
  if (!run.ok()) return "";
  if (mode == ProgramMode::printed) return std::string(trim(run.stdout_text));
  const size_t at = run.stdout_text.rfind(kValueMarker);
  if (at == std::string::npos) return "";
  return std::string(trim(std::string_view(run.stdout_text).substr(at + kValueMarker.size())));
}

SampleGrade grade_program_run(const std::optional<sandbox::SandboxResult>& run, ProgramMode mode, std::string_view gold,
                              AnswerStyle style, const GradePolicy& policy) {
  SampleGrade g;
  if (!run) {
    g.method = "no program";
    g.rule = "no answer";
    return g;
  }
  g.extracted = program_value(*run, mode);
  g.method = run->ok() ? "program" : "program: " + std::string(sandbox::stop_reason_name(run->reason));
  if (g.extracted.empty()) {
    g.rule = "no answer";
    return g;
  }
  const GradeResult r = grade_answer(g.extracted, gold, style, policy);
  g.correct = r.correct;
  g.rule = r.rule;
  return g;
}

ProgramConfig execute_options(const std::string& program, AnswerStyle style, double timeout_seconds, int parallel) {
  ProgramConfig c;
  if (program.empty()) {
    c.mode = style == AnswerStyle::gsm8k  ? ProgramMode::solution_call
             : style == AnswerStyle::math ? ProgramMode::answer_variable
                                          : ProgramMode::printed;
  } else if (auto mode = config::enum_from_name<ProgramMode>(program)) {
    c.mode = *mode;
  } else {
    fail_hint("choose one of: solution_call, answer_variable, printed", "--program: unknown program mode '{}'", program);
  }
  c.sandbox.limits.wall_seconds = timeout_seconds;
  c.sandbox.limits.cpu_seconds = std::max(1, static_cast<int>(timeout_seconds + 0.999));
  c.sandbox.parallel = parallel;
  return c;
}

std::vector<std::optional<sandbox::SandboxResult>> run_completion_programs(const std::vector<std::string>& completions,
                                                                           const ProgramConfig& config) {
  std::vector<std::optional<sandbox::SandboxResult>> runs(completions.size());
  std::vector<std::string> programs;
  std::vector<size_t> owner;
  for (size_t i = 0; i < completions.size(); ++i)
    if (auto p = program_of_completion(completions[i], config.mode)) {
      programs.push_back(std::move(*p));
      owner.push_back(i);
    }
  if (programs.empty()) return runs;
  const sandbox::Sandbox sb(config.sandbox);
  sb.check_python_packages();
  Progress progress("programs", programs.size(), "programs");
  auto results = sandbox::run_programs(sb, programs, [&](size_t done) { progress.update(done); });
  progress.finish();
  size_t ok = 0;
  for (size_t k = 0; k < results.size(); ++k) {
    ok += results[k].ok() ? 1 : 0;
    runs[owner[k]] = std::move(results[k]);
  }
  log::info("programs: {} of {} completions held one; {} ran to the end", programs.size(), completions.size(), ok);
  return runs;
}

void grade_outcomes_by_execution(std::vector<ProblemOutcome>& outcomes, AnswerStyle style, const GradePolicy& policy,
                                 const ProgramConfig& config) {
  std::vector<std::string> completions;
  for (const auto& o : outcomes)
    for (const auto& s : o.samples) completions.push_back(s.completion);
  const auto runs = run_completion_programs(completions, config);
  size_t k = 0;
  for (auto& o : outcomes)
    for (auto& s : o.samples) s.grade = grade_program_run(runs[k++], config.mode, o.gold, style, policy);
}

}  // namespace dsmath::eval
