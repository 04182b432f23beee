#pragma once
// Finding the final answer in a model's completion. The markers are those of the prompt
// formats the paper evaluates with (DeepSeekMath section 5.1; DeepSeek-Math
// evaluation/data_processing/answer_extraction.py): Minerva's "Final Answer: The final answer
// is $...$. I hope it is correct.", \boxed{...} for instruct models, GSM8K's "The answer is
// N." exemplars and its reference "#### N", and, as the last resort, the last number.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/schema.hpp"

namespace dsmath::eval {

// How answers of a benchmark look, which decides extraction and comparison.
enum class AnswerStyle {
  generic,  // any marker, in the order of extract_answer(); answers compared as math
  gsm8k,    // a number (GSM8K, CMATH, MGSM): the extracted span is reduced to one number
  math,     // a LaTeX answer (MATH, MATH500)
  choice,   // a multiple-choice letter A-E (MMLU-STEM, Gaokao-MathQA)
  cloze,    // several blanks separated by ';', compared in order (Gaokao-MathCloze)
  ocw,      // OCW Courses: the Minerva answer line, compared by ocw_grader.hpp
};

struct ExtractedAnswer {
  std::string text;    // "" when nothing was found
  std::string method;  // "####", "final answer is", "boxed", "answer is", "last number", "choice", or ""
  bool found() const { return !method.empty(); }
};

// The completion up to the first stop marker (a few-shot completion that ran on into the next
// "Q:" or "Problem:" is cut there, as generation with stop words would have).
std::string_view cut_at_stop(std::string_view completion, std::span<const std::string> stop_markers);

// Content of the last \boxed{...} or \fbox{...} with balanced braces ("\boxed 5" too).
std::optional<std::string> last_boxed(std::string_view text);
// Contents of every balanced \boxed{...} / \fbox{...}, in order.
std::vector<std::string> all_boxed(std::string_view text);
// Minerva: the last "final answer is $X$" (X), or the rest of that line without '$'.
std::optional<std::string> minerva_final_answer(std::string_view text);
// The span after the last "The answer is" / "answer:" / "答案是" marker, up to the end of the
// sentence; "$...$" spans and \boxed are unwrapped.
std::optional<std::string> answer_is_span(std::string_view text);
// GSM8K reference format: the rest of the line after the last "####".
std::optional<std::string> hash_answer(std::string_view text);
// The last number ("-1,234.5" -> "-1234.5"), or the first one.
std::optional<std::string> last_number(std::string_view text);
std::optional<std::string> first_number(std::string_view text);

// DeepSeek-Math's OCW extraction (extract_ocwcourses_few_shot_answer): on the first line that
// has it, the text between "final answer is " and the last ". I hope it is correct", as
// written ('$' kept: the OCW comparison strips it itself).
std::optional<std::string> ocw_final_answer(std::string_view text);

// The final answer of `completion` (already cut at stop markers), for a benchmark's style.
ExtractedAnswer extract_answer(std::string_view completion, AnswerStyle style);

// The stop markers a style's few-shot prompts use, applied before extraction when grading
// completions that did not stop there ("\nQ:" for GSM8K, "\nProblem:" for MATH).
std::vector<std::string> default_stop_markers(AnswerStyle style);

}  // namespace dsmath::eval

namespace dsmath::config {
template <>
struct EnumNames<eval::AnswerStyle> {
  static constexpr std::array<std::pair<eval::AnswerStyle, std::string_view>, 6> values{{
      {eval::AnswerStyle::generic, "generic"},
      {eval::AnswerStyle::gsm8k, "gsm8k"},
      {eval::AnswerStyle::math, "math"},
      {eval::AnswerStyle::choice, "choice"},
      {eval::AnswerStyle::cloze, "cloze"},
      {eval::AnswerStyle::ocw, "ocw"},
  }};
};
}  // namespace dsmath::config
