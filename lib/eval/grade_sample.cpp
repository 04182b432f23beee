#include "eval/grade_sample.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/strings.hpp"
#include "eval/answer_normalize.hpp"
#include "eval/ocw_grader.hpp"

namespace dsmath::eval {

namespace {

// "(b)", "\text{B}", " B." -> "B"; "" when the text is not one letter.
std::string choice_of(std::string_view text) {
  std::string n = normalize_answer(text);
  std::string letters;
  for (char c : n)
    if (std::isalpha(static_cast<unsigned char>(c))) letters += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return letters.size() == 1 ? letters : std::string{};
}

// The letter of a MATH multiple-choice label, "\text{(C)}" or "(C)" -> 'C'; 0 otherwise.
char choice_label(const std::string& normalized) {
  const bool label = normalized.size() == 3 && normalized[0] == '(' && normalized[2] == ')' &&
                     normalized[1] >= 'A' && normalized[1] <= 'E';
  return label ? normalized[1] : '\0';
}

// Blanks of a cloze answer: ';' separates them; a prediction may use top-level commas.
std::vector<std::string> blanks_of(std::string_view text, bool allow_commas) {
  std::vector<std::string> out;
  int depth = 0;
  std::string current;
  for (char c : text) {
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (c == ';' || (allow_commas && c == ',' && depth == 0)) {
      out.emplace_back(trim(current));
      current.clear();
      continue;
    }
    current += c;
  }
  out.emplace_back(trim(current));
  return out;
}

}  // namespace

GradeResult grade_answer(std::string_view extracted, std::string_view gold, AnswerStyle style, const GradePolicy& policy) {
  if (trim(extracted).empty()) return {false, "no answer"};
  if (style == AnswerStyle::ocw) return ocw_equal(extracted, gold, policy);
  if (style == AnswerStyle::choice) {
    const std::string p = choice_of(extracted), g = choice_of(gold);
    return {!p.empty() && p == g, "choice"};
  }
  if (style == AnswerStyle::cloze) {
    const auto gold_blanks = blanks_of(gold, false);
    if (gold_blanks.size() > 1) {
      const auto predicted = blanks_of(extracted, true);
      if (predicted.size() != gold_blanks.size()) return {false, "mismatch"};
      for (size_t i = 0; i < predicted.size(); ++i)
        if (!math_equal(predicted[i], gold_blanks[i], policy).correct) return {false, "mismatch"};
      return {true, "cloze"};
    }
  }
  // A multiple-choice gold in a LaTeX benchmark ("\text{(C)}", MATH's choice problems): an
  // answer that names the option and then repeats its content ("\text{(C) } 12") chose C.
  if (const char letter = choice_label(normalize_answer(gold)); letter != '\0') {
    const std::string p = normalize_answer(extracted);
    if (p.size() > 3 && choice_label(p.substr(0, 3)) != '\0') return {p[1] == letter, "choice"};
  }
  return math_equal(extracted, gold, policy);
}

SampleGrade grade_completion(std::string_view completion, std::string_view gold, AnswerStyle style,
                             std::span<const std::string> stop_markers, const GradePolicy& policy) {
  SampleGrade g;
  const ExtractedAnswer a = extract_answer(cut_at_stop(completion, stop_markers), style);
  g.extracted = a.text;
  g.method = a.method;
  if (!a.found()) {
    g.rule = "no answer";
    return g;
  }
  GradeResult r = grade_answer(a.text, gold, style, policy);
  // A gold that lists m answers may be boxed one box each ("$\boxed{2}$ and $\boxed{3}$"):
  // the last m distinct boxes together are the answer (as DeepSeek-Math's eval_math takes
  // the last len(gold) boxed answers).
  if (!r.correct && a.method == "boxed" && (style == AnswerStyle::math || style == AnswerStyle::generic)) {
    const size_t m = answer_list_length(gold);
    if (m >= 2) {
      std::vector<std::string> boxes;
      for (auto& b : all_boxed(cut_at_stop(completion, stop_markers)))
        if (std::find(boxes.begin(), boxes.end(), b) == boxes.end()) boxes.push_back(std::move(b));
      if (boxes.size() >= m) {
        const std::vector<std::string> last(boxes.end() - static_cast<std::ptrdiff_t>(m), boxes.end());
        const std::string joined = join(last, ", ");
        GradeResult joined_result = grade_answer(joined, gold, style, policy);
        if (joined_result.correct) {
          g.extracted = joined;
          g.method = "boxed (several)";
          r = joined_result;
        }
      }
    }
  }
  g.correct = r.correct;
  g.rule = r.rule;
  return g;
}

}  // namespace dsmath::eval
