#include "eval/grade_file_programs.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "data/jsonl.hpp"
#include "eval/benchmark.hpp"

namespace dsmath::eval {

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

FilePrograms::FilePrograms(const std::filesystem::path& input, const std::string& completion_field, ProgramConfig config)
    : config_(std::move(config)) {
  if (config_.mode == ProgramMode::none || config_.mode == ProgramMode::tool)
    fail_hint("use solution_call (PAL GSM8K), answer_variable (PAL MATH) or printed",
              "--execute: program mode '{}' does not grade a finished completion",
              config::enum_name(config_.mode));
  std::vector<uint64_t> lines;
  std::vector<std::string> completions;
  LineReader reader(input);
  std::string line;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const Json record = parse_json_object(line, reader.where());
      if (auto c = text_field(record, completion_field)) {
        lines.push_back(reader.line_number());
        completions.push_back(std::move(*c));
      }
    } catch (const Error&) {
      // reported with file:line by the grading pass
    }
  }
  auto runs = run_completion_programs(completions, config_);
  for (size_t k = 0; k < lines.size(); ++k) runs_.emplace(lines[k], std::move(runs[k]));
}

SampleGrade FilePrograms::grade(uint64_t line_number, std::string_view gold, AnswerStyle style,
                                const GradePolicy& policy) const {
  const auto it = runs_.find(line_number);
  return grade_program_run(it == runs_.end() ? std::nullopt : it->second, config_.mode, gold, style, policy);
}

}  // namespace dsmath::eval
