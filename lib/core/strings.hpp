#pragma once
// Small text utilities shared by configs, CLIs and reports.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dsmath {

std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
std::string join(std::span<const std::string> parts, std::string_view sep);

// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a plausible typo, else "".
std::string closest_match(std::string_view word, std::span<const std::string> candidates);

// 1234567 -> "1.23M"; for summaries and progress lines.
std::string human_count(double n);
// 93.5 -> "1m33s"
std::string human_duration(double seconds);
// 1536 -> "1.5 KiB"
std::string human_bytes(double bytes);

}  // namespace dsmath
