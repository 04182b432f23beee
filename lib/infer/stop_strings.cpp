#include "infer/stop_strings.hpp"

#include <algorithm>

namespace dsmath {

StopCheck stop_strings_check(const Tokenizer& tokenizer, std::vector<std::string> stops) {
  stops.erase(std::remove(stops.begin(), stops.end(), std::string()), stops.end());
  if (stops.empty()) return {};
  size_t longest = 0;
  for (const auto& s : stops) longest = std::max(longest, s.size());
  return [&tokenizer, stops, longest](size_t, std::span<const int32_t> generated) -> int {
    // Only the tail can hold a new match: the last token plus the longest stop string.
    std::string tail;
    size_t tail_start_token = generated.size();
    while (tail_start_token > 0 && tail.size() < longest + 64) {
      --tail_start_token;
      tail.insert(0, tokenizer.token_bytes(static_cast<uint32_t>(generated[tail_start_token])));
    }
    size_t first = std::string::npos;
    for (const auto& s : stops) first = std::min(first, tail.find(s));
    if (first == std::string::npos) return -1;
    // keep the tokens that end at or before the stop string's first byte
    size_t bytes = 0, keep = tail_start_token;
    for (size_t i = tail_start_token; i < generated.size(); ++i) {
      bytes += tokenizer.token_bytes(static_cast<uint32_t>(generated[i])).size();
      if (bytes > first) break;
      keep = i + 1;
    }
    return static_cast<int>(keep);
  };
}

std::string completion_text(const Tokenizer& tokenizer, const std::vector<int32_t>& ids, const std::vector<std::string>& stops) {
  std::vector<uint32_t> u(ids.begin(), ids.end());
  std::string text = tokenizer.decode(u, /*skip_special_tokens=*/true);
  size_t cut = std::string::npos;
  for (const auto& s : stops)
    if (!s.empty()) cut = std::min(cut, text.find(s));
  if (cut != std::string::npos) text.resize(cut);
  return text;
}

}  // namespace dsmath
