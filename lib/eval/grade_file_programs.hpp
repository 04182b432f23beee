#pragma once
// `dsmath eval grade --execute`: the programs of a completions file are run before grading
// (a first pass over the file, so that they run in parallel), and each line is then graded by
// the value its program produced instead of by its text.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>

#include "eval/program_answer.hpp"

namespace dsmath::eval {

// The program config of `eval grade --execute --program NAME`: NAME, or "" for the style's
// PAL format (gsm8k-style numbers: solution_call; math: answer_variable; else printed).
ProgramConfig execute_options(const std::string& program, AnswerStyle style, double timeout_seconds, int parallel);

class FilePrograms {
 public:
  // Runs the program of `completion_field` of every JSON line of `input` (lines that are not
  // JSON objects or lack the field are left to the grading pass to report).
  FilePrograms(const std::filesystem::path& input, const std::string& completion_field, ProgramConfig config);

  // The verdict for the completion on line `line_number` (1-based).
  SampleGrade grade(uint64_t line_number, std::string_view gold, AnswerStyle style, const GradePolicy& policy) const;

 private:
  ProgramConfig config_;
  std::unordered_map<uint64_t, std::optional<sandbox::SandboxResult>> runs_;
};

}  // namespace dsmath::eval
