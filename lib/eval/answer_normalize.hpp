#pragma once
// LaTeX answer normalization: turns the many ways of writing one final answer ("\dfrac12",
// "\frac{1}{2}", "$\left( 3, \frac{\pi}{2} \right)$", "5\text{ cm}", "30^\circ", "\$1{,}000")
// into one canonical spelling, before the structural and numeric comparison of
// math_grader.hpp. The rules follow the normalizers of the MATH paper (Hendrycks et al.
// 2021, is_equiv) and of DeepSeek-Math's evaluation (strip_string), restated in docs/eval.md.
#include <string>
#include <string_view>

namespace dsmath::eval {

// The canonical spelling: no $ delimiters, \left/\right, thin spaces, text units, degree
// signs, trailing periods; \dfrac/\tfrac -> \frac with braced arguments (\frac12 ->
// \frac{1}{2}, \sqrt2 -> \sqrt{2}); "and"/"or" separators -> ","; whitespace removed except
// where it separates a command from a following letter ("\pi r"). "%" is kept (the grader
// decides what it means).
std::string normalize_answer(std::string_view raw);

// Index one past the '}' that closes the '{' at `open` (brace depth counting; "\{" and "\}"
// are literal braces, not groups), or npos when the group does not close.
size_t matching_brace(std::string_view s, size_t open);

}  // namespace dsmath::eval
