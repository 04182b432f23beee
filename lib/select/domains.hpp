#pragma once
// Math-related domain discovery and seed expansion (paper section 2.1): "a domain is math-
// related when over 10% of its pages are collected"; people then mark the URL paths of such a
// domain that hold math (mathoverflow.net/questions), and the uncollected pages under those
// paths join the seed for the next round.
//
// `find_math_domains` counts pages per domain in the pages seen (everything scored) and the
// pages selected, lists the domains over domains.min_fraction with their most common path
// prefixes, and writes a marks file: one line per listed prefix, commented out ("# "), for a
// person to uncomment. `expand_seed` reads the uncommented lines ("host/path/" then anything
// after whitespace is ignored) and adds the pool pages under them to the seed.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "select/data_config.hpp"
#include "select/page_source.hpp"

namespace dsmath::select {

struct PrefixStats {
  std::string prefix;  // "host/segment/"
  uint64_t seen = 0, selected = 0;
};

struct DomainStats {
  std::string domain;
  uint64_t seen = 0, selected = 0;
  std::vector<PrefixStats> prefixes;  // most selected first
  double fraction() const { return seen == 0 ? 0.0 : static_cast<double>(selected) / static_cast<double>(seen); }
};

struct DomainsReport {
  uint64_t pages_seen = 0, pages_selected = 0, pages_without_url = 0, malformed = 0;
  uint64_t domains_seen = 0;
  std::vector<DomainStats> math_domains;  // over the threshold, most selected first
  uint64_t auto_marked = 0;
  double seconds = 0;
};

struct DomainsOutputs {
  std::filesystem::path report;                      // JSONL, one line per listed domain
  std::optional<std::filesystem::path> all_domains;  // JSONL, seen/selected of every domain
  std::optional<std::filesystem::path> marks;        // the marks file
  // prefixes whose selected/seen is at least this are written uncommented in the marks file
  // (unattended runs of scripts/select_corpus.sh)
  std::optional<double> auto_mark_fraction;
};

DomainsReport find_math_domains(const std::vector<std::filesystem::path>& seen,
                                const std::vector<std::filesystem::path>& selected, const DomainsOutputs& outputs,
                                const DataConfig& config, InputFormat format = InputFormat::automatic);

// The marked prefixes of a marks file, normalized like URLs (lowercase host, no "www.").
std::vector<std::string> read_marked_prefixes(const std::filesystem::path& marks_path);

struct ExpandSeedReport {
  uint64_t seed_pages = 0, pool_pages = 0, added = 0, malformed = 0;
  std::vector<std::pair<std::string, uint64_t>> added_by_prefix;
  double seconds = 0;
};

ExpandSeedReport expand_seed(const std::vector<std::filesystem::path>& seed,
                             const std::vector<std::filesystem::path>& pool, const std::filesystem::path& marks_path,
                             const std::filesystem::path& output, const DataConfig& config,
                             InputFormat format = InputFormat::automatic);

}  // namespace dsmath::select
