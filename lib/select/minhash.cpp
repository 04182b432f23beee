#include "select/minhash.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/rng.hpp"
#include "select/text_tokens.hpp"

namespace dsmath::select {

MinHasher::MinHasher(const MinHashParams& params) : params_(params) {
  DSMATH_CHECK(params.bands > 0 && params.rows > 0 && params.shingle_words > 0, "bad MinHash parameters");
  Rng rng(params.seed);
  a_.resize(static_cast<size_t>(num_hashes()));
  b_.resize(static_cast<size_t>(num_hashes()));
  for (size_t i = 0; i < a_.size(); ++i) {
    a_[i] = rng.next_u64();
    b_[i] = rng.next_u64();
  }
}

bool MinHasher::signature(std::span<const uint64_t> words, std::vector<uint32_t>& sig) const {
  if (words.empty()) return false;
  const size_t k = a_.size();
  sig.assign(k, std::numeric_limits<uint32_t>::max());
  const size_t n = static_cast<size_t>(params_.shingle_words);
  const size_t shingles = words.size() >= n ? words.size() - n + 1 : 1;
  const size_t width = std::min(n, words.size());
  const uint64_t* a = a_.data();
  const uint64_t* b = b_.data();
  uint32_t* s = sig.data();
  for (size_t i = 0; i < shingles; ++i) {
    const uint64_t x = hash64(words.data() + i, width * sizeof(uint64_t)) >> 32;
    for (size_t j = 0; j < k; ++j) {  // vectorized by the compiler
      const auto h = static_cast<uint32_t>((a[j] * x + b[j]) >> 32);
      s[j] = std::min(s[j], h);
    }
  }
  return true;
}

bool MinHasher::signature_of_text(std::string_view text, std::vector<uint32_t>& sig) const {
  thread_local std::vector<uint64_t> words;
  word_hashes(text, words);
  return signature(words, sig);
}

void MinHasher::band_keys(std::span<const uint32_t> sig, std::span<uint64_t> out) const {
  const auto rows = static_cast<size_t>(params_.rows);
  for (size_t band = 0; band < static_cast<size_t>(params_.bands); ++band)
    out[band] = hash64(sig.data() + band * rows, rows * sizeof(uint32_t), band);
}

double estimated_jaccard(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  DSMATH_CHECK(a.size() == b.size() && !a.empty(), "signatures of {} and {} values", a.size(), b.size());
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

namespace {

uint32_t find_root(std::vector<uint32_t>& parent, uint32_t x) {
  uint32_t root = x;
  while (parent[root] != root) root = parent[root];
  while (parent[x] != root) {  // path compression
    const uint32_t next = parent[x];
    parent[x] = root;
    x = next;
  }
  return root;
}

}  // namespace

std::vector<uint32_t> lsh_cluster_representatives(std::span<const uint64_t> keys, std::span<const uint8_t> has_keys,
                                                  int bands, int threads) {
  const size_t n = has_keys.size();
  DSMATH_CHECK(keys.size() == n * static_cast<size_t>(bands), "{} keys for {} pages x {} bands", keys.size(), n, bands);
  DSMATH_CHECK(n < std::numeric_limits<uint32_t>::max(), "{} pages is over the 2^32 page limit", n);
  std::vector<uint32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0u);
  // Each band is sorted on its own (in parallel); equal neighbours become edges, joined with
  // the lower index as root so the root is the cluster's first page.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> edges(static_cast<size_t>(bands));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int band = 0; band < bands; ++band) {
    std::vector<std::pair<uint64_t, uint32_t>> entries;
    entries.reserve(n);
    for (size_t i = 0; i < n; ++i)
      if (has_keys[i]) entries.emplace_back(keys[i * static_cast<size_t>(bands) + static_cast<size_t>(band)],
                                            static_cast<uint32_t>(i));
    std::sort(entries.begin(), entries.end());
    auto& out = edges[static_cast<size_t>(band)];
    for (size_t i = 1; i < entries.size(); ++i)
      if (entries[i].first == entries[i - 1].first) out.emplace_back(entries[i - 1].second, entries[i].second);
  }
  for (const auto& band_edges : edges) {
    for (const auto& [x, y] : band_edges) {
      const uint32_t rx = find_root(parent, x), ry = find_root(parent, y);
      if (rx < ry) parent[ry] = rx;
      else if (ry < rx) parent[rx] = ry;
    }
  }
  for (size_t i = 0; i < n; ++i) parent[i] = find_root(parent, static_cast<uint32_t>(i));
  return parent;
}

}  // namespace dsmath::select
