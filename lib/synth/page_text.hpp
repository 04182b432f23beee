#pragma once
// The text of one generated web page: math pages (worked word problems, short lessons,
// arithmetic facts) and the distractor pages around them (recipes, sports, travel, reviews,
// ...). Distractors are full of numbers and share words with the problems ("bakes", "trays",
// "dollars", "rows of tulips"), so a classifier has to learn what makes a page math, not
// merely that it has digits.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.hpp"
#include "synth/problem_source.hpp"

namespace dsmath::synth {

struct PageText {
  std::string title;
  std::string text;  // the title, a blank line, then the body
};

// A math page: several worked problems in "Q: ... / A: ... The answer is N." form (the
// GSM8K chain-of-thought exemplar format), a lesson with examples, or a page of arithmetic
// facts. Problems are training problems of `problems` (never held-out ones).
PageText math_page(Rng& rng, ProblemSource& problems);

// Kinds of distractor pages ("recipe", "sports", ...); other_page(rng, i) writes one of kind i.
const std::vector<std::string_view>& other_page_kinds();
PageText other_page(Rng& rng, size_t kind);

}  // namespace dsmath::synth
