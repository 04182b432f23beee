#pragma once
// `dsmath data dedup` (paper section 2.1: URL-based deduplication and near-deduplication).
// Pass 1 computes each page's normalized URL hash and MinHash band keys; exact URL
// duplicates after the first page with that URL are dropped, then the rest is clustered by
// LSH and the first page of each cluster (in input order) kept. Pass 2 streams the inputs
// again and writes the kept pages, in input order.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "select/data_config.hpp"
#include "select/page_source.hpp"

namespace dsmath::select {

struct DedupReport {
  uint64_t pages_in = 0;          // well-formed pages
  uint64_t malformed = 0;
  uint64_t url_duplicates = 0;    // dropped: normalized URL seen before
  uint64_t near_duplicates = 0;   // dropped: in an LSH cluster with an earlier page
  uint64_t duplicate_clusters = 0;  // clusters with more than one page
  uint64_t pages_out = 0;
  double seconds = 0;
};

// `removed_report` (optional): one JSONL line per dropped page with the reason and the page
// kept in its place ({"where", "url", "reason": "url"|"near", "kept": "file:line"}).
DedupReport dedup_pages(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output,
                        const std::optional<std::filesystem::path>& removed_report, const DataConfig& config,
                        InputFormat format = InputFormat::automatic);

PageFields page_fields(const DataConfig& config);

}  // namespace dsmath::select
