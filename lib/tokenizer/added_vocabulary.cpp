#include "tokenizer/added_vocabulary.hpp"

#include <algorithm>

#include "tokenizer/utf8.hpp"

namespace dsmath {

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens) : tokens_(std::move(tokens)) {
  // Rust regex's \w (Unicode TR18 word character), used by `tokenizers` for single_word
  word_char_ = Regex::from_oniguruma("[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]");
  for (uint32_t i = 0; i < tokens_.size(); ++i) {
    const auto& t = tokens_[i];
    if (t.content.empty()) continue;
    Matcher& m = t.normalized ? normalized_ : raw_;
    const auto first = static_cast<uint8_t>(t.content[0]);
    m.by_first_byte[first].push_back(i);
    m.any[first] = true;
    m.empty = false;
  }
  for (Matcher* m : {&raw_, &normalized_})
    for (auto& list : m->by_first_byte)
      std::stable_sort(list.begin(), list.end(),
                       [&](uint32_t a, uint32_t b) { return tokens_[a].content.size() > tokens_[b].content.size(); });
}

bool AddedVocabulary::is_word_char_before(std::string_view text, size_t pos) const {
  if (pos == 0) return false;
  size_t start = pos - 1;  // first byte of the character that ends at pos
  while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
  thread_local std::vector<std::pair<uint32_t, uint32_t>> m;
  m.clear();
  word_char_.find_all(text.substr(start, pos - start), m);
  return !m.empty();
}

bool AddedVocabulary::is_word_char_at(std::string_view text, size_t pos) const {
  if (pos >= text.size()) return false;
  const size_t n = std::max<size_t>(1, utf8_sequence_length(text, pos));
  thread_local std::vector<std::pair<uint32_t, uint32_t>> m;
  m.clear();
  word_char_.find_all(text.substr(pos, n), m);
  return !m.empty();
}

void AddedVocabulary::find(std::string_view text, uint32_t base, const Matcher& matcher, std::vector<TextSegment>& out) const {
  size_t start_offset = 0;
  size_t pos = 0;
  const size_t n = text.size();
  auto whitespace_before = [&](size_t end) {  // start of the white space run ending at `end`
    size_t i = end;
    while (i > 0) {
      size_t b = i - 1;
      while (b > 0 && (static_cast<uint8_t>(text[b]) & 0xC0) == 0x80) --b;
      const size_t len = utf8_sequence_length(text, b);
      if (len == 0 || !is_unicode_whitespace(decode_utf8_at(text, b, len))) break;
      i = b;
    }
    return i;
  };
  auto whitespace_after = [&](size_t begin) {  // end of the white space run starting at `begin`
    size_t i = begin;
    while (i < n) {
      const size_t len = utf8_sequence_length(text, i);
      if (len == 0 || !is_unicode_whitespace(decode_utf8_at(text, i, len))) break;
      i += len;
    }
    return i;
  };
  while (pos < n) {
    const auto first = static_cast<uint8_t>(text[pos]);
    if (!matcher.any[first]) {
      ++pos;
      continue;
    }
    const AddedToken* hit = nullptr;
    for (uint32_t idx : matcher.by_first_byte[first]) {
      const auto& c = tokens_[idx].content;
      if (c.size() <= n - pos && text.compare(pos, c.size(), c) == 0) {
        hit = &tokens_[idx];
        break;
      }
    }
    if (hit == nullptr) {
      ++pos;
      continue;
    }
    size_t start = pos, stop = pos + hit->content.size();
    pos = stop;  // the matcher resumes after the match, whatever the checks below decide
    if (start < start_offset) continue;  // inside a previous token's rstrip run
    if (hit->single_word) {
      const bool start_space = start == 0 || !is_word_char_before(text, start);
      const bool stop_space = stop == n || !is_word_char_at(text, stop);
      if (!start_space || !stop_space) continue;
    }
    if (hit->lstrip) start = std::max(whitespace_before(start), start_offset);
    if (hit->rstrip) stop = whitespace_after(stop);
    if (start_offset < start)
      out.push_back({base + static_cast<uint32_t>(start_offset), base + static_cast<uint32_t>(start), -1});
    out.push_back({base + static_cast<uint32_t>(start), base + static_cast<uint32_t>(stop), hit->id});
    start_offset = stop;
    pos = std::max(pos, stop);
  }
  if (start_offset < n) out.push_back({base + static_cast<uint32_t>(start_offset), base + static_cast<uint32_t>(n), -1});
}

void AddedVocabulary::split(std::string_view text, std::vector<TextSegment>& out) const {
  out.clear();
  if (text.empty()) return;
  if (raw_.empty) {
    out.push_back({0, static_cast<uint32_t>(text.size()), -1});
  } else {
    find(text, 0, raw_, out);
  }
  if (normalized_.empty) return;
  thread_local std::vector<TextSegment> first_pass;
  first_pass.swap(out);
  out.clear();
  for (const TextSegment& s : first_pass) {
    if (s.token_id >= 0)
      out.push_back(s);
    else
      find(text.substr(s.begin, s.end - s.begin), s.begin, normalized_, out);
  }
}

}  // namespace dsmath
