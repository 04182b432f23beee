#include "tokenizer/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <fmt/format.h>

#include "core/error.hpp"
#include "tokenizer/utf8.hpp"

namespace dsmath {

namespace {

// Unicode White_Space (PropList.txt), the set Oniguruma's \s matches, as class contents.
constexpr std::string_view kWhiteSpaceClass =
    "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
constexpr std::string_view kHexDigitClass = "0-9a-fA-F";

// Code points whose general category in `tokenizers` (Oniguruma, Unicode 16.0) differs from
// PCRE2 10.42's Unicode 14.0: mostly letters, digits and symbols assigned since. \p{X} is
// widened by the ones now in X, so \p{L} or \p{N} match what `tokenizers` matches.
struct CategoryDelta {
  char32_t first;
  char32_t last;
  const char* category;
};
constexpr CategoryDelta kCategoryDelta[] = {
#include "tokenizer/unicode_delta.inc"
};

// The class items to add to \p{name} ("" when none): name is a general category (L, Lu, ...).
std::string category_additions(std::string_view name) {
  std::string out;
  if (name.empty() || name.size() > 2) return out;
  for (const auto& d : kCategoryDelta) {
    const std::string_view cat = d.category;
    const bool member = name.size() == 1 ? cat[0] == name[0] : (name == "L&" ? cat == "Lu" || cat == "Ll" || cat == "Lt" : cat == name);
    if (!member) continue;
    out += fmt::format("\\x{{{:X}}}", static_cast<uint32_t>(d.first));
    if (d.last != d.first) out += fmt::format("-\\x{{{:X}}}", static_cast<uint32_t>(d.last));
  }
  return out;
}

// Parses \p{Name}, \p{^Name}, \pN, \P... at p[i] (the backslash); returns the length consumed
// (0 if not a property escape), the name and whether it is negated.
size_t parse_property(std::string_view p, size_t i, std::string& name, bool& negated) {
  if (i + 2 >= p.size() || (p[i + 1] != 'p' && p[i + 1] != 'P')) return 0;
  negated = p[i + 1] == 'P';
  if (p[i + 2] != '{') {
    name.assign(1, p[i + 2]);
    return 3;
  }
  const size_t close = p.find('}', i + 3);
  if (close == std::string_view::npos) return 0;
  name.assign(p.substr(i + 3, close - i - 3));
  if (!name.empty() && name[0] == '^') {
    negated = !negated;
    name.erase(0, 1);
  }
  return close + 1 - i;
}

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

// Per-thread match state: one match block and one JIT stack serve every Regex a thread uses.
struct ThreadMatchState {
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  ThreadMatchState() {
    data = pcre2_match_data_create(1, nullptr);
    context = pcre2_match_context_create(nullptr);
    // patterns with backtracking over long runs (\s+(?!\S) on a page of spaces) need more than
    // the 32 KiB default
    jit_stack = pcre2_jit_stack_create(32 * 1024, 64 * 1024 * 1024, nullptr);
    if (data == nullptr || context == nullptr || jit_stack == nullptr) throw Error("out of memory creating PCRE2 match state");
    pcre2_jit_stack_assign(context, nullptr, jit_stack);
  }
  ~ThreadMatchState() {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
  }
};

ThreadMatchState& thread_match_state() {
  thread_local ThreadMatchState state;
  return state;
}

}  // namespace

struct Regex::Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Compiled() { pcre2_code_free(code); }
};

std::string translate_oniguruma_pattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 64);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    std::string property;
    bool negated = false;
    if (const size_t n = c == '\\' ? parse_property(p, i, property, negated) : 0; n > 0) {
      const std::string extra = category_additions(property);
      const std::string_view escape = p.substr(i, n);
      i += n - 1;
      if (extra.empty() || (negated && in_class)) {  // a negated property inside a class cannot be widened
        out += escape;
      } else if (in_class) {
        out += fmt::format("\\p{{{}}}{}", property, extra);
      } else {
        out += fmt::format("[{}\\p{{{}}}{}]", negated ? "^" : "", property, extra);
      }
      continue;
    }
    if (c == '\\' && i + 1 < p.size()) {
      const char d = p[i + 1];
      ++i;
      if (d == 's' || d == 'h') {
        const std::string_view set = d == 's' ? kWhiteSpaceClass : kHexDigitClass;
        if (in_class) {
          out += set;
        } else {
          out += '[';
          out += set;
          out += ']';
        }
      } else if (d == 'S' || d == 'H') {
        if (in_class)
          fail_hint("write the class without it, e.g. [^\\s...] instead of [\\S...]",
                    "pre-tokenizer regex '{}': \\{} inside a character class is not supported", p, d);
        out += "[^";
        out += d == 'S' ? kWhiteSpaceClass : kHexDigitClass;
        out += ']';
      } else {
        out += c;
        out += d;
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];  // a leading ']' is literal
      continue;
    }
    if (in_class && c == '[') {
      if (i + 1 < p.size() && p[i + 1] == ':') {  // POSIX class [:alpha:], same in both engines
        const size_t close = p.find(":]", i + 2);
        if (close != std::string_view::npos) {
          out.append(p.substr(i, close + 2 - i));
          i = close + 1;
          continue;
        }
      }
      fail_hint("rewrite the class without nesting or intersection", "pre-tokenizer regex '{}': nested character classes "
                "(Oniguruma [a-z&&[^aeiou]]) are not supported", p);
    }
    if (in_class && c == ']') in_class = false;
    out += c;
  }
  return out;
}

Regex::Regex(std::string source, std::string translated, bool literal) : source_(std::move(source)), literal_(literal) {
  if (!is_valid_utf8(translated))
    fail_hint("tokenizer.json must be UTF-8", "pre-tokenizer pattern '{}' is not valid UTF-8", repair_utf8(source_));
  const uint32_t options = PCRE2_UTF | PCRE2_NO_UTF_CHECK | (literal ? PCRE2_LITERAL : PCRE2_UCP | PCRE2_MULTILINE);
  pcre2_compile_context* cctx = pcre2_compile_context_create(nullptr);
  pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(), options,
                                   &error_code, &error_offset, cctx);
  pcre2_compile_context_free(cctx);
  if (code == nullptr)
    fail_hint("check the pattern in tokenizer.json's pre_tokenizer",
              "pre-tokenizer regex '{}' does not compile (as PCRE2 '{}'): {} at offset {}", source_, translated,
              pcre2_message(error_code), error_offset);
  auto compiled = std::make_shared<Compiled>();
  compiled->code = code;
  compiled->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  compiled_ = std::move(compiled);
}

Regex Regex::from_oniguruma(std::string_view pattern) {
  return Regex(std::string(pattern), translate_oniguruma_pattern(pattern), false);
}

Regex Regex::literal(std::string_view text) { return Regex(std::string(text), std::string(text), true); }

void Regex::find_all(std::string_view subject, std::vector<std::pair<uint32_t, uint32_t>>& matches) const {
  // `tokenizers` treats an empty string pattern as matching nothing
  if (compiled_ == nullptr || (literal_ && source_.empty())) return;
  ThreadMatchState& state = thread_match_state();
  const auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
  const size_t length = subject.size();
  size_t start = 0;
  bool have_last = false;
  size_t last_end = 0;
  while (start <= length) {
    const int rc = compiled_->jit ? pcre2_jit_match(compiled_->code, text, length, start, PCRE2_NO_UTF_CHECK, state.data, state.context)
                                  : pcre2_match(compiled_->code, text, length, start, PCRE2_NO_UTF_CHECK, state.data, state.context);
    if (rc == PCRE2_ERROR_NOMATCH) return;
    if (rc < 0)
      fail_hint("the input may hold an extremely long run the pattern backtracks over",
                "pre-tokenizer regex '{}' failed on a {}-byte piece: {}", source_, length, pcre2_message(rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(state.data);
    const size_t b = ov[0], e = ov[1];
    if (b == e && have_last && last_end == e) {
      // Oniguruma's find_iter: skip one character and search again
      if (start >= length) return;
      const size_t n = utf8_sequence_length(subject, start);
      start += n == 0 ? 1 : n;
      continue;
    }
    matches.emplace_back(static_cast<uint32_t>(b), static_cast<uint32_t>(e));
    have_last = true;
    last_end = e;
    start = e;
  }
}

}  // namespace dsmath
