#pragma once
// MinHash signatures and LSH banding for near-duplicate detection (Broder 1997; the banding
// of Leskovec, Rajaraman & Ullman, Mining of Massive Datasets, ch. 3.4). Shingles are word
// n-grams (text_tokens.hpp words; 5 by default); each of the bands x rows hash functions is
//   h_i(x) = ((a_i * x + b_i) mod 2^64) >> 32
// over the 32-bit shingle hash x, with a_i, b_i random 64-bit: Dietzfelbinger's
// multiply-add-shift scheme, strongly universal onto 32 bits. Two pages share a band (all
// `rows` values equal) with probability 1 - (1 - J^rows)^bands for Jaccard similarity J.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace dsmath::select {

struct MinHashParams {
  int shingle_words = 5;
  int bands = 14;
  int rows = 8;
  uint64_t seed = 1;
};

class MinHasher {
 public:
  explicit MinHasher(const MinHashParams& params);

  int num_hashes() const { return params_.bands * params_.rows; }
  const MinHashParams& params() const { return params_; }

  // Signature of a page from its word hashes (word_hashes()); false (and no signature) for a
  // page without words. A page with fewer words than a shingle has one shingle of them all.
  bool signature(std::span<const uint64_t> words, std::vector<uint32_t>& signature) const;
  bool signature_of_text(std::string_view text, std::vector<uint32_t>& signature) const;

  // One 64-bit key per band (XXH3 of the band's rows); out has `bands` entries.
  void band_keys(std::span<const uint32_t> signature, std::span<uint64_t> out) const;

 private:
  MinHashParams params_;
  std::vector<uint64_t> a_, b_;
};

// Fraction of equal signature values: an unbiased estimate of the Jaccard similarity.
double estimated_jaccard(std::span<const uint32_t> a, std::span<const uint32_t> b);

// Clusters pages that share at least one band key, transitively (union-find). `keys` holds
// `bands` keys per page, row-major; pages with has_keys[i] == 0 are singletons. Returns for
// each page the lowest page index of its cluster (the page kept).
std::vector<uint32_t> lsh_cluster_representatives(std::span<const uint64_t> keys, std::span<const uint8_t> has_keys,
                                                  int bands, int threads);

}  // namespace dsmath::select
