#pragma once
// One completion against one gold answer: cut at stop markers, extract the final answer for
// the benchmark's style, compare. This is the whole rule-based verdict, shared by
// `dsmath eval` and by rule-based rewards in GRPO (reward = correct).
#include <span>
#include <string>
#include <string_view>

#include "eval/answer_extraction.hpp"
#include "eval/math_grader.hpp"

namespace dsmath::eval {

struct SampleGrade {
  std::string extracted;  // "" when no answer was found
  std::string method;     // extraction marker that matched ("boxed", "answer is", ...)
  bool correct = false;
  std::string rule;       // grading rule that decided (math_grader.hpp)
};

// An extracted answer against the gold answer: multiple-choice letters compare as letters,
// cloze blanks in order, everything else with math_equal().
GradeResult grade_answer(std::string_view extracted, std::string_view gold, AnswerStyle style,
                         const GradePolicy& policy = {});

SampleGrade grade_completion(std::string_view completion, std::string_view gold, AnswerStyle style,
                             std::span<const std::string> stop_markers, const GradePolicy& policy = {});

}  // namespace dsmath::eval
