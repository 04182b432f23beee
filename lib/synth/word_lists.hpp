#pragma once
// The small vocabularies the generator fills its templates from. Short, common words on
// purpose: a tokenizer trained on the generated corpus gives each a token or two, so a tiny
// model spends its capacity on the arithmetic, not on spelling.
#include <cstdint>
#include <span>
#include <string_view>

#include "core/rng.hpp"

namespace dsmath::synth {

struct Noun {
  std::string_view singular;
  std::string_view plural;
};

extern const std::span<const std::string_view> kPersonNames;
extern const std::span<const std::string_view> kRelatives;      // "mother", "uncle", ...
extern const std::span<const Noun> kCollectibles;                // apples, stickers, marbles...
extern const std::span<const Noun> kBakedGoods;
extern const std::span<const Noun> kShopItems;
extern const std::span<const Noun> kPlants;
extern const std::span<const Noun> kClassroomItems;              // pencils, books...
extern const std::span<const std::string_view> kVehicles;        // "train", "bus", ...
extern const std::span<const std::string_view> kTimeUnits;       // "week", "day", "hour"

template <class T>
const T& pick(Rng& rng, std::span<const T> items) {
  return items[rng.below(items.size())];
}

// Uniform integer in [lo, hi] (hi >= lo).
inline int64_t uniform_int(Rng& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo + 1)));
}

}  // namespace dsmath::synth
