#include "tokenizer/pre_tokenizer.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace dsmath {

namespace {

using json = nlohmann::json;

// llama.cpp @ c392e50 src/llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_DEEPSEEK_LLM, written with \u
// escapes: the letter class holds code points (U+1F7D, U+1FBE, U+1FD3, U+1FDB, U+2126, U+212A)
// that NFC normalization would rewrite, breaking the ranges (shared/data/SOURCES.md).
const char* const kDeepSeekLetters =
    "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373"
    "\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f"
    "\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77"
    "\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d"
    "\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4"
    "\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139"
    "\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d"
    "\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a"
    "\uff41-\uff5a\U00010400-\U0001044f\U000104b0-\U000104d3\U000104d8-\U000104fb\U00010c80-\U00010cb2"
    "\U00010cc0-\U00010cf2\U000118a0-\U000118df\U0001e900-\U0001e943]+";
const char* const kDeepSeekPunctuation = "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+";
const char* const kDeepSeekCjk = "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+";

json split_json(std::string_view regex) {
  return json{{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}, {"invert", false}};
}

json byte_level_json(bool use_regex) {
  return json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", use_regex}};
}

const json& member(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) fail_hint("compare with a tokenizer.json saved by the `tokenizers` library", "{}: missing key '{}'", where, key);
  return *it;
}

bool bool_or(const json& j, const char* key, bool fallback, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) fail("{}.{}: expected true or false, got {}", where, key, it->dump());
  return it->get<bool>();
}

SplitBehavior parse_behavior(const json& j, const std::string& where) {
  if (!j.is_string()) fail("{}.behavior: expected a string, got {}", where, j.dump());
  const auto s = j.get<std::string>();
  if (s == "Removed") return SplitBehavior::removed;
  if (s == "Isolated") return SplitBehavior::isolated;
  if (s == "MergedWithPrevious") return SplitBehavior::merged_with_previous;
  if (s == "MergedWithNext") return SplitBehavior::merged_with_next;
  if (s == "Contiguous") return SplitBehavior::contiguous;
  fail_hint("use Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous", "{}.behavior: unknown value '{}'",
            where, s);
}

void parse_steps(const json& j, const std::string& where, std::vector<PreTokenizer::Step>& steps) {
  if (!j.is_object()) fail("{}: expected an object, got {}", where, j.dump().substr(0, 80));
  const auto& type_json = member(j, "type", where);
  const std::string type = type_json.is_string() ? type_json.get<std::string>() : type_json.dump();
  PreTokenizer::Step step;
  if (type == "Sequence") {
    const auto& list = member(j, "pretokenizers", where);
    if (!list.is_array()) fail("{}.pretokenizers: expected an array", where);
    for (size_t i = 0; i < list.size(); ++i) parse_steps(list[i], where + ".pretokenizers[" + std::to_string(i) + "]", steps);
    return;
  }
  if (type == "Split") {
    const auto& pattern = member(j, "pattern", where);
    if (pattern.contains("Regex") && pattern["Regex"].is_string())
      step.regex = Regex::from_oniguruma(pattern["Regex"].get<std::string>());
    else if (pattern.contains("String") && pattern["String"].is_string())
      step.regex = Regex::literal(pattern["String"].get<std::string>());
    else
      fail("{}.pattern: expected {{\"Regex\": ...}} or {{\"String\": ...}}, got {}", where, pattern.dump());
    step.behavior = parse_behavior(member(j, "behavior", where), where);
    step.invert = bool_or(j, "invert", false, where);
  } else if (type == "Digits") {
    // `tokenizers` splits on char::is_numeric (general category Nd, Nl or No), i.e. \p{N}
    step.regex = Regex::from_oniguruma("\\p{N}");
    step.behavior = bool_or(j, "individual_digits", false, where) ? SplitBehavior::isolated : SplitBehavior::contiguous;
  } else if (type == "ByteLevel") {
    step.kind = PreTokenizer::Step::Kind::byte_level;
    step.add_prefix_space = bool_or(j, "add_prefix_space", true, where);
    step.use_regex = bool_or(j, "use_regex", true, where);
    if (step.use_regex) step.regex = Regex::from_oniguruma(kGpt2SplitPattern);
  } else {
    fail_hint("dsmath implements byte-level BPE: Sequence of Split / Digits / ByteLevel",
              "{}: pre-tokenizer type '{}' is not supported", where, type);
  }
  steps.push_back(std::move(step));
}

// `tokenizers` NormalizedString::split: (range, is_match) covering the subject, then merged or
// dropped per behavior; returns kept ranges.
void split_ranges(std::string_view subject, const Regex& regex, SplitBehavior behavior, bool invert,
                  std::vector<std::pair<uint32_t, uint32_t>>& matches, std::vector<std::pair<uint32_t, uint32_t>>& kept) {
  struct Part {
    uint32_t b, e;
    bool is_match;
  };
  thread_local std::vector<Part> parts;
  parts.clear();
  kept.clear();
  const auto len = static_cast<uint32_t>(subject.size());
  if (len == 0) return;
  matches.clear();
  regex.find_all(subject, matches);
  uint32_t prev = 0;
  for (auto [b, e] : matches) {
    if (prev != b) parts.push_back({prev, b, invert});
    parts.push_back({b, e, !invert});
    prev = e;
  }
  if (prev != len) parts.push_back({prev, len, invert});

  switch (behavior) {
    case SplitBehavior::removed:
      for (const Part& p : parts)
        if (!p.is_match) kept.emplace_back(p.b, p.e);
      break;
    case SplitBehavior::isolated:
      for (const Part& p : parts) kept.emplace_back(p.b, p.e);
      break;
    case SplitBehavior::contiguous: {
      bool previous_match = false;
      for (const Part& p : parts) {
        if (p.is_match == previous_match && !kept.empty())
          kept.back().second = p.e;
        else
          kept.emplace_back(p.b, p.e);
        previous_match = p.is_match;
      }
      break;
    }
    case SplitBehavior::merged_with_previous: {
      bool previous_match = false;
      for (const Part& p : parts) {
        if (p.is_match && !previous_match && !kept.empty())
          kept.back().second = p.e;
        else
          kept.emplace_back(p.b, p.e);
        previous_match = p.is_match;
      }
      break;
    }
    case SplitBehavior::merged_with_next: {
      bool previous_match = false;
      for (size_t k = parts.size(); k-- > 0;) {
        const Part& p = parts[k];
        if (p.is_match && !previous_match && !kept.empty())
          kept.back().first = p.b;
        else
          kept.emplace_back(p.b, p.e);
        previous_match = p.is_match;
      }
      std::reverse(kept.begin(), kept.end());
      break;
    }
  }
}

}  // namespace

PreTokenizer PreTokenizer::from_json(const nlohmann::json& j, const std::string& where) {
  PreTokenizer p;
  if (j.is_null())
    fail_hint("byte-level BPE needs a ByteLevel pre-tokenizer", "{}: pre_tokenizer is null", where);
  parse_steps(j, where + ": pre_tokenizer", p.steps_);
  for (size_t i = 0; i < p.steps_.size(); ++i) {
    if (p.steps_[i].kind == Step::Kind::byte_level && i + 1 != p.steps_.size())
      fail_hint("put ByteLevel last in the pre_tokenizer Sequence",
                "{}: pre_tokenizer step {} (ByteLevel) is followed by other steps, which would see byte-level text", where, i);
  }
  if (p.steps_.empty() || p.steps_.back().kind != Step::Kind::byte_level)
    fail_hint("dsmath implements byte-level BPE (GPT-2 style)", "{}: pre_tokenizer has no ByteLevel step", where);
  p.json_ = j;
  return p;
}

PreTokenizer PreTokenizer::gpt2() { return from_json(byte_level_json(true), "gpt2 pre-tokenizer preset"); }

PreTokenizer PreTokenizer::deepseek() {
  nlohmann::json list = nlohmann::json::array({split_json("[\r\n]"), split_json(kDeepSeekLetters), split_json(kDeepSeekPunctuation),
                           split_json("\\s+$"), split_json(kDeepSeekCjk),
                           nlohmann::json{{"type", "Digits"}, {"individual_digits", true}}, byte_level_json(false)});
  return from_json({{"type", "Sequence"}, {"pretokenizers", list}}, "deepseek pre-tokenizer preset");
}

void PreTokenizer::split(std::string_view text, std::vector<PreToken>& pieces) const {
  thread_local std::vector<PreToken> current, next;
  thread_local std::vector<std::pair<uint32_t, uint32_t>> matches, kept;
  thread_local std::string scratch;
  current.clear();
  if (text.empty()) return;
  current.push_back({0, static_cast<uint32_t>(text.size()), false});

  auto apply = [&](const Regex& regex, SplitBehavior behavior, bool invert) {
    next.clear();
    for (const PreToken& piece : current) {
      const std::string_view subject = piece.bytes(text, scratch);
      split_ranges(subject, regex, behavior, invert, matches, kept);
      const uint32_t shift = piece.space_prefixed ? 1 : 0;
      for (auto [b, e] : kept) {
        if (b == e) continue;
        if (shift && b == 0)
          next.push_back({piece.begin, piece.begin + e - 1, true});
        else
          next.push_back({piece.begin + b - shift, piece.begin + e - shift, false});
      }
    }
    current.swap(next);
  };

  for (const Step& step : steps_) {
    if (step.kind == Step::Kind::byte_level) {
      if (step.add_prefix_space)
        for (PreToken& piece : current)
          if (!piece.space_prefixed && text[piece.begin] != ' ') piece.space_prefixed = true;
      if (step.use_regex) apply(step.regex, SplitBehavior::isolated, false);
    } else {
      apply(step.regex, step.behavior, step.invert);
    }
  }
  pieces.insert(pieces.end(), current.begin(), current.end());
}

}  // namespace dsmath
