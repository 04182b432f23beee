// MinHash: Jaccard estimates against the exact Jaccard of the shingle sets (computed here
// from plain string sets), and LSH clustering of known near-duplicates.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "select/minhash.hpp"

using namespace dsmath;
using namespace dsmath::select;

namespace {

std::vector<std::string> random_words(Rng& rng, size_t n) {
  std::vector<std::string> words;
  for (size_t i = 0; i < n; ++i) words.push_back("w" + std::to_string(rng.below(5000)));
  return words;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

std::set<std::string> shingles(const std::vector<std::string>& words, size_t n) {
  std::set<std::string> out;
  for (size_t i = 0; i + n <= words.size(); ++i) {
    std::string s;
    for (size_t k = i; k < i + n; ++k) s += words[k] + " ";
    out.insert(s);
  }
  return out;
}

double exact_jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  size_t common = 0;
  for (const auto& s : a) common += b.count(s);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

// `words` with a fraction of positions replaced by fresh words
std::vector<std::string> mutate(const std::vector<std::string>& words, double fraction, Rng& rng) {
  auto out = words;
  for (auto& w : out)
    if (rng.uniform() < fraction) w = "x" + std::to_string(rng.below(1000000));
  return out;
}

}  // namespace

TEST_CASE("MinHash estimates Jaccard similarity of word 5-gram shingles") {
  Rng rng(7);
  const MinHasher hasher(MinHashParams{5, 32, 8, 3});  // 256 hash functions: std of the estimate <= 0.031
  std::vector<uint32_t> sa, sb;
  double total_error = 0;
  int pairs = 0;
  for (double fraction : {0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4, 1.0}) {
    for (int rep = 0; rep < 4; ++rep) {
      const auto a = random_words(rng, 400);
      const auto b = mutate(a, fraction, rng);
      const double exact = exact_jaccard(shingles(a, 5), shingles(b, 5));
      REQUIRE(hasher.signature_of_text(join_words(a), sa));
      REQUIRE(hasher.signature_of_text(join_words(b), sb));
      const double estimate = estimated_jaccard(sa, sb);
      INFO("fraction " << fraction << " exact " << exact << " estimate " << estimate);
      CHECK(std::abs(estimate - exact) <= 0.15);  // ~5 standard deviations
      total_error += std::abs(estimate - exact);
      ++pairs;
    }
  }
  CHECK(total_error / pairs <= 0.04);
}

TEST_CASE("MinHash signatures ignore case and punctuation and handle short and empty pages") {
  const MinHasher hasher(MinHashParams{});
  std::vector<uint32_t> a, b;
  REQUIRE(hasher.signature_of_text("One two three four five six seven", a));
  REQUIRE(hasher.signature_of_text("one, TWO; three four -- five six seven!", b));
  CHECK(a == b);
  CHECK(a.size() == 14 * 8);
  REQUIRE(hasher.signature_of_text("two words", a));  // fewer words than a shingle: one shingle
  REQUIRE(hasher.signature_of_text("Two Words", b));
  CHECK(estimated_jaccard(a, b) == 1.0);
  CHECK_FALSE(hasher.signature_of_text(" ... ", a));
  // a different seed is a different family of hash functions
  const MinHasher other(MinHashParams{5, 14, 8, 2});
  REQUIRE(hasher.signature_of_text("One two three four five six seven", a));
  REQUIRE(other.signature_of_text("One two three four five six seven", b));
  CHECK(a != b);
}

TEST_CASE("LSH clusters near-duplicates and keeps distinct pages apart") {
  Rng rng(11);
  const MinHasher hasher(MinHashParams{});  // 14 bands x 8 rows
  std::vector<std::vector<std::string>> pages;
  std::vector<int> expected_group;  // pages with the same group are near-duplicates
  for (int base = 0; base < 30; ++base) {
    auto words = random_words(rng, 300);
    pages.push_back(words);
    expected_group.push_back(base);
    if (base % 5 == 0) {  // two near-copies (1% of words changed: Jaccard ~0.9, collision p > 0.999)
      pages.push_back(mutate(words, 0.01, rng));
      expected_group.push_back(base);
      pages.push_back(mutate(words, 0.01, rng));
      expected_group.push_back(base);
    }
  }
  std::vector<uint64_t> keys(pages.size() * 14);
  std::vector<uint8_t> has_keys(pages.size(), 1);
  std::vector<uint32_t> sig;
  for (size_t i = 0; i < pages.size(); ++i) {
    REQUIRE(hasher.signature_of_text(join_words(pages[i]), sig));
    hasher.band_keys(sig, std::span<uint64_t>(keys.data() + i * 14, 14));
  }
  has_keys.push_back(0);  // a page without text: its own cluster
  keys.resize(keys.size() + 14, 0);
  const auto rep = lsh_cluster_representatives(keys, has_keys, 14, 2);
  REQUIRE(rep.size() == pages.size() + 1);
  for (size_t i = 0; i < pages.size(); ++i) {
    size_t first_of_group = 0;
    while (expected_group[first_of_group] != expected_group[i]) ++first_of_group;
    INFO("page " << i << " group " << expected_group[i]);
    CHECK(rep[i] == first_of_group);
  }
  CHECK(rep.back() == pages.size());
}

TEST_CASE("LSH joins clusters transitively and keeps the first page") {
  // pages 0-1 share band 0, 1-2 share band 1, 3 shares nothing: {0,1,2} and {3}
  const std::vector<uint64_t> keys = {10, 20, 10, 21, 11, 21, 12, 22};
  const std::vector<uint8_t> has = {1, 1, 1, 1};
  CHECK(lsh_cluster_representatives(keys, has, 2, 1) == std::vector<uint32_t>{0, 0, 0, 3});
}
