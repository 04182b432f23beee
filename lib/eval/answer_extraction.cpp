#include "eval/answer_extraction.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/strings.hpp"
#include "eval/answer_normalize.hpp"
#include "eval/math_expression.hpp"

namespace dsmath::eval {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Position of the last case-insensitive (ASCII) occurrence of `needle`, or npos.
size_t rfind_nocase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return std::string_view::npos;
  for (size_t i = haystack.size() - needle.size() + 1; i-- > 0;) {
    bool match = true;
    for (size_t j = 0; j < needle.size() && match; ++j) match = lower(haystack[i + j]) == lower(needle[j]);
    if (match) return i;
  }
  return std::string_view::npos;
}

std::string_view rest_of_line(std::string_view s) { return s.substr(0, std::min(s.size(), s.find('\n'))); }

std::string strip_markdown(std::string_view s) {
  std::string out(trim(s));
  for (std::string_view mark : {"**", "__"}) {
    size_t pos = 0;
    while ((pos = out.find(mark, pos)) != std::string::npos) out.erase(pos, mark.size());
  }
  return std::string(trim(out));
}

// The span that follows an answer marker: a $...$ / \(...\) / \[...\] group, a \boxed group,
// or text up to the end of the sentence.
std::optional<std::string> answer_span_after(std::string_view rest) {
  size_t i = 0;
  auto skip = [&] {
    while (i < rest.size()) {
      if (rest[i] == ' ' || rest[i] == ':' || rest[i] == '*' || rest[i] == '\t') {
        ++i;
      } else if (rest.substr(i, 3) == "\uff1a") {  // full-width colon
        i += 3;
      } else {
        break;
      }
    }
  };
  skip();
  if (i < rest.size() && rest[i] == '\n') {  // "The answer is:\n$42$"
    ++i;
    skip();
  }
  rest = rest.substr(i);
  if (rest.empty()) return std::nullopt;
  auto delimited = [&](std::string_view open, std::string_view close) -> std::optional<std::string> {
    if (rest.substr(0, open.size()) != open) return std::nullopt;
    size_t end = rest.find(close, open.size());
    while (end != std::string_view::npos && close == "$" && rest[end - 1] == '\\') end = rest.find(close, end + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(trim(rest.substr(open.size(), end - open.size())));
  };
  if (auto v = delimited("$$", "$$")) return v;
  if (auto v = delimited("$", "$")) return v;
  if (auto v = delimited("\\(", "\\)")) return v;
  if (auto v = delimited("\\[", "\\]")) return v;
  if (rest.substr(0, 6) == "\\boxed") return last_boxed(rest_of_line(rest));
  std::string_view line = rest_of_line(rest);
  // end of sentence: ". " or a final "." (not the point of a decimal), or a full stop "。"
  for (size_t k = 0; k < line.size(); ++k) {
    if (line[k] == '.' && (k + 1 == line.size() || line[k + 1] == ' ')) {
      line = line.substr(0, k);
      break;
    }
    if (line.substr(k, 3) == "\u3002") {
      line = line.substr(0, k);
      break;
    }
  }
  std::string out = strip_markdown(line);
  if (out.empty()) return std::nullopt;
  return out;
}

struct NumberMatch {
  size_t begin, end;
  std::string text;  // without thousands separators
};

std::vector<NumberMatch> numbers_in(std::string_view s) {
  std::vector<NumberMatch> out;
  for (size_t i = 0; i < s.size();) {
    // a number starts at a digit, or at ".5" when the point does not follow a word or digit
    const bool starts = is_digit(s[i]) || (s[i] == '.' && i + 1 < s.size() && is_digit(s[i + 1]) &&
                                           (i == 0 || !(is_digit(s[i - 1]) || is_letter(s[i - 1]))));
    if (!starts) {
      ++i;
      continue;
    }
    const size_t begin = i;
    std::string text;
    // a minus sign, unless it is a subtraction ("5-3")
    if (begin > 0 && s[begin - 1] == '-' &&
        (begin < 2 || !(is_digit(s[begin - 2]) || is_letter(s[begin - 2]) || s[begin - 2] == ')')))
      text = "-";
    while (i < s.size() && is_digit(s[i])) text += s[i++];
    // thousands groups: ",ddd" not followed by another digit
    auto group_at = [&](size_t k) {
      return k + 3 < s.size() && s[k] == ',' && is_digit(s[k + 1]) && is_digit(s[k + 2]) && is_digit(s[k + 3]) &&
             (k + 4 >= s.size() || !is_digit(s[k + 4]));
    };
    while (i > begin && group_at(i)) {
      text.append(s.substr(i + 1, 3));
      i += 4;
    }
    if (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
      text += s[i++];
      while (i < s.size() && is_digit(s[i])) text += s[i++];
    }
    if (text.empty() || text == "-") {
      ++i;
      continue;
    }
    if (text.front() == '.' || (text.size() > 1 && text[0] == '-' && text[1] == '.')) text.insert(text.find('.'), 1, '0');
    out.push_back({begin, i, text});
  }
  return out;
}

// A gsm8k-style answer is one number: "18 dollars", "\$18.00", "3 + 15 = 18" -> the number.
std::string reduce_to_number(const std::string& span) {
  std::string n = normalize_answer(span);
  if (size_t eq = n.rfind('='); eq != std::string::npos) n = n.substr(eq + 1);
  std::string without_commas;
  for (char c : n)
    if (c != ',') without_commas += c;
  if (auto e = MathExpression::parse(without_commas); e && e->variables().empty()) return without_commas;
  const size_t eq = span.rfind('=');
  if (auto num = first_number(eq == std::string::npos ? std::string_view(span) : std::string_view(span).substr(eq + 1)))
    return *num;
  return n;
}

// "(B)", "B.", "B", "\text{(B)}" -> "B": the first standalone capital A-E in the span.
std::optional<std::string> choice_letter(std::string_view span) {
  for (size_t i = 0; i < span.size(); ++i) {
    const char c = span[i];
    if (c < 'A' || c > 'E') continue;
    const bool left_ok = i == 0 || (!is_letter(span[i - 1]) && span[i - 1] != '\\');
    const bool right_ok = i + 1 >= span.size() || !is_letter(span[i + 1]);
    if (left_ok && right_ok) return std::string(1, c);
  }
  return std::nullopt;
}

}  // namespace

std::string_view cut_at_stop(std::string_view completion, std::span<const std::string> stop_markers) {
  size_t end = completion.size();
  for (const auto& marker : stop_markers) {
    if (marker.empty()) continue;
    const size_t pos = completion.find(marker);
    if (pos != std::string_view::npos) end = std::min(end, pos);
  }
  return completion.substr(0, end);
}

std::optional<std::string> last_boxed(std::string_view text) {
  size_t search_end = text.size();
  while (true) {
    const size_t boxed = search_end == 0 ? std::string_view::npos : text.rfind("\\boxed", search_end - 1);
    const size_t fbox = search_end == 0 ? std::string_view::npos : text.rfind("\\fbox", search_end - 1);
    size_t start = std::string_view::npos;
    size_t name_len = 0;
    if (boxed != std::string_view::npos && (fbox == std::string_view::npos || boxed > fbox)) {
      start = boxed;
      name_len = 6;
    } else if (fbox != std::string_view::npos) {
      start = fbox;
      name_len = 5;
    }
    if (start == std::string_view::npos) return std::nullopt;
    size_t p = start + name_len;
    while (p < text.size() && text[p] == ' ') ++p;
    if (p < text.size() && text[p] == '{') {
      const size_t close = matching_brace(text, p);
      if (close != std::string_view::npos) return std::string(trim(text.substr(p + 1, close - p - 2)));
    } else if (p > start + name_len && p < text.size()) {
      // "\boxed 5": one token up to whitespace or '$'
      size_t q = p;
      while (q < text.size() && text[q] != ' ' && text[q] != '$' && text[q] != '\n') ++q;
      if (q > p) return std::string(text.substr(p, q - p));
    }
    if (start == 0) return std::nullopt;
    search_end = start;  // unbalanced (a truncated completion): try the one before
  }
}

std::vector<std::string> all_boxed(std::string_view text) {
  std::vector<std::string> out;
  size_t end = text.size();
  while (auto box = last_boxed(text.substr(0, end))) {
    out.push_back(*box);
    // continue before the box just found
    const size_t b = text.substr(0, end).rfind("\\boxed"), f = text.substr(0, end).rfind("\\fbox");
    const size_t start = b == std::string_view::npos ? f : (f == std::string_view::npos ? b : std::max(b, f));
    if (start == std::string_view::npos || start == 0) break;
    end = start;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<std::string> minerva_final_answer(std::string_view text) {
  const size_t pos = rfind_nocase(text, "final answer is");
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(pos + 15);
  size_t i = 0;
  while (i < rest.size() && rest[i] == ' ') ++i;
  rest = rest.substr(i);
  if (!rest.empty() && rest[0] == '$') {
    // "$X$. I hope it is correct." - X may itself contain no '$'
    const bool display = rest.substr(0, 2) == "$$";
    const size_t open = display ? 2 : 1;
    size_t end = rest.find(display ? "$$" : "$", open);
    while (end != std::string_view::npos && rest[end - 1] == '\\')  // "\$" is a dollar sign inside the answer
      end = rest.find(display ? "$$" : "$", end + 1);
    if (end != std::string_view::npos) {
      std::string v(trim(rest.substr(open, end - open)));
      if (!v.empty()) return v;
    }
    return std::nullopt;
  }
  // Without "$...$" only the full Minerva sentence counts: "the final answer is positive,
  // because ..." in prose is not an answer line.
  std::string_view line = rest_of_line(rest);
  const size_t hope = line.find(". I hope it is correct");
  if (hope == std::string_view::npos) return std::nullopt;
  line = line.substr(0, hope);
  std::string v = strip_markdown(line);
  while (!v.empty() && v.back() == '.') v.pop_back();
  if (v.empty()) return std::nullopt;
  return v;
}

namespace {

// The text after the last answer marker ("The answer is", "answer:", 答案是), or nullopt.
std::optional<std::string_view> after_last_answer_marker(std::string_view text) {
  static constexpr std::array<std::string_view, 6> markers{"answer is", "final answer:", "answer:", "\u7b54\u6848\u662f",
                                                           "\u7b54\u6848\uff1a", "\u7b54\u6848\u4e3a"};
  size_t best = std::string_view::npos;
  size_t best_len = 0;
  for (auto m : markers) {
    const size_t pos = rfind_nocase(text, m);
    if (pos != std::string_view::npos && (best == std::string_view::npos || pos > best)) {
      best = pos;
      best_len = m.size();
    }
  }
  if (best == std::string_view::npos) return std::nullopt;
  return text.substr(best + best_len);
}

// Cloze blanks after the marker: the whole line, "$5$;$10$" or "$5$ 和 $10$" -> "5;10" / "5,10".
std::optional<std::string> cloze_span(std::string_view text) {
  auto rest = after_last_answer_marker(text);
  if (!rest) return std::nullopt;
  std::string line(trim(rest_of_line(*rest)));
  for (std::string_view sep : {std::string_view("\u548c"), std::string_view("\uff0c"), std::string_view("\u3001")}) {
    for (size_t pos; (pos = line.find(sep)) != std::string::npos;) line.replace(pos, sep.size(), ",");
  }
  std::string out;
  for (char c : line)
    if (c != '$') out += c;
  std::string_view v = trim(out);
  while (!v.empty() && (v.front() == ':' || v.front() == ' ')) v.remove_prefix(1);
  if (v.size() >= 3 && v.substr(v.size() - 3) == "\u3002") v.remove_suffix(3);
  while (!v.empty() && v.back() == '.') v.remove_suffix(1);
  if (trim(v).empty()) return std::nullopt;
  return std::string(trim(v));
}

}  // namespace

std::optional<std::string> answer_is_span(std::string_view text) {
  auto rest = after_last_answer_marker(text);
  if (!rest) return std::nullopt;
  return answer_span_after(*rest);
}

std::optional<std::string> hash_answer(std::string_view text) {
  const size_t pos = text.rfind("####");
  if (pos == std::string_view::npos) return std::nullopt;
  std::string v(trim(rest_of_line(text.substr(pos + 4))));
  if (v.empty()) return std::nullopt;
  return v;
}

std::optional<std::string> last_number(std::string_view text) {
  auto all = numbers_in(text);
  if (all.empty()) return std::nullopt;
  return all.back().text;
}

std::optional<std::string> first_number(std::string_view text) {
  auto all = numbers_in(text);
  if (all.empty()) return std::nullopt;
  return all.front().text;
}

std::optional<std::string> ocw_final_answer(std::string_view text) {
  // re.search(r"final answer is (?P<ans>.*)\. I hope it is correct.", ...): the first match
  // position, '.' not crossing a line, the greedy group ending at the line's last match
  for (size_t pos = text.find("final answer is "); pos != std::string_view::npos;
       pos = text.find("final answer is ", pos + 1)) {
    const std::string_view line = rest_of_line(text.substr(pos + 16));
    for (size_t end = line.size(); end-- > 0;) {
      if (line.compare(end, 22, ". I hope it is correct") == 0 && end + 22 < line.size())
        return std::string(line.substr(0, end));
    }
  }
  return std::nullopt;
}

ExtractedAnswer extract_answer(std::string_view completion, AnswerStyle style) {
  ExtractedAnswer found;
  if (style == AnswerStyle::ocw) {
    // only the Minerva line (the few-shot format) or a box (instruct models); DeepSeek has no
    // last-number fallback for OCW
    if (auto v = ocw_final_answer(completion)) return {*v, "final answer is"};
    if (auto v = last_boxed(completion)) return {*v, "boxed"};
    return {};
  }
  auto take = [&](std::optional<std::string> v, const char* method) {
    if (found.found() || !v || trim(*v).empty()) return;
    // "The final answer is $64-2=\boxed{62}$": the box inside the span is the answer
    if (v->find("\\boxed") != std::string::npos || v->find("\\fbox") != std::string::npos) {
      if (auto inner = last_boxed(*v)) v = inner;
    }
    found.text = std::string(trim(*v));
    found.method = method;
  };
  if (style == AnswerStyle::gsm8k || style == AnswerStyle::generic) take(hash_answer(completion), "####");
  take(minerva_final_answer(completion), "final answer is");
  take(last_boxed(completion), "boxed");
  if (style == AnswerStyle::cloze) take(cloze_span(completion), "answer is");
  take(answer_is_span(completion), "answer is");
  if (style != AnswerStyle::choice) take(last_number(completion), "last number");

  if (found.found() && style == AnswerStyle::gsm8k) found.text = reduce_to_number(found.text);
  if (style == AnswerStyle::choice) {
    auto letter = found.found() ? choice_letter(found.text) : std::nullopt;
    if (!letter) return {};
    found.text = *letter;
  }
  return found;
}

std::vector<std::string> default_stop_markers(AnswerStyle style) {
  switch (style) {
    case AnswerStyle::gsm8k: return {"\nQ:", "\n\u95ee\u9898\uff1a"};
    case AnswerStyle::math:
    case AnswerStyle::ocw: return {"\nProblem:"};
    case AnswerStyle::choice: return {"\nProblem:", "\n\u95ee\u9898 "};
    case AnswerStyle::cloze: return {"\n\u95ee\u9898 "};
    case AnswerStyle::generic: return {};
  }
  return {};
}

}  // namespace dsmath::eval
