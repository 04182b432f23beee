#include "synth/text_template.hpp"

#include <charconv>
#include <vector>

#include "core/error.hpp"
#include "synth/word_lists.hpp"

namespace dsmath::synth {

namespace {

int64_t parse_int(std::string_view s, std::string_view text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  DSMATH_CHECK(ec == std::errc() && end == s.data() + s.size(), "bad number slot in template '{}'", text);
  return v;
}

}  // namespace

std::string fill_template(Rng& rng, std::string_view text, std::span<const SlotList> slots) {
  std::string out;
  out.reserve(text.size() + 32);
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '{') {
      out += text[i++];
      continue;
    }
    const size_t close = text.find('}', i);
    DSMATH_CHECK(close != std::string_view::npos, "unclosed slot in template '{}'", text);
    const std::string_view name = text.substr(i + 1, close - i - 1);
    if (name.find('|') != std::string_view::npos) {
      // inline alternatives: "{solid|sturdy|cheap}"
      std::vector<std::string_view> options;
      for (size_t begin = 0;;) {
        const size_t bar = name.find('|', begin);
        options.push_back(name.substr(begin, bar == std::string_view::npos ? std::string_view::npos : bar - begin));
        if (bar == std::string_view::npos) break;
        begin = bar + 1;
      }
      out += options[rng.below(options.size())];
    } else if (!name.empty() && name[0] == '#') {
      const size_t dash = name.find('-', 1);
      DSMATH_CHECK(dash != std::string_view::npos, "number slot without a range in template '{}'", text);
      const int64_t lo = parse_int(name.substr(1, dash - 1), text), hi = parse_int(name.substr(dash + 1), text);
      DSMATH_CHECK(lo <= hi, "empty number range in template '{}'", text);
      out += std::to_string(uniform_int(rng, lo, hi));
    } else {
      const SlotList* list = nullptr;
      for (const auto& s : slots)
        if (s.name == name) list = &s;
      DSMATH_CHECK(list != nullptr && !list->words.empty(), "unknown slot '{}' in template '{}'", name, text);
      out += pick(rng, list->words);
    }
    i = close + 1;
  }
  return out;
}

std::string capitalized(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

std::string url_slug(std::string_view title, size_t max_words) {
  std::string out;
  size_t words = 0;
  bool in_word = false;
  for (char c : title) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      if (!in_word) {
        if (words == max_words) break;
        if (words > 0) out += '-';
        ++words;
      }
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    in_word = alnum;
  }
  return out;
}

}  // namespace dsmath::synth
