#pragma once
// Sentence templates with slots, for the web pages around the word problems:
//   "{city} is a great place for a {trip} trip."   a word from the slot list named city
//   "It serves {#2-8} people."                      a whole number in [2, 8]
//   "The {food|meal} was {great|fine}."             one of the alternatives
// Every slot is drawn anew, so pages built from the same templates still differ in most of
// their word 5-grams: only the intended copies look like near-duplicates to MinHash.
#include <span>
#include <string>
#include <string_view>

#include "core/rng.hpp"

namespace dsmath::synth {

struct SlotList {
  std::string_view name;
  std::span<const std::string_view> words;
};

// Fills every slot of `text`; an unknown slot name is a bug in the templates (internal error).
std::string fill_template(Rng& rng, std::string_view text, std::span<const SlotList> slots);

// The text with its first letter upper-cased ("tulips grow best..." -> "Tulips grow best...").
std::string capitalized(std::string text);

// "Banana bread recipe" -> "banana-bread-recipe" (at most `max_words` words), for URL paths.
std::string url_slug(std::string_view title, size_t max_words = 6);

}  // namespace dsmath::synth
