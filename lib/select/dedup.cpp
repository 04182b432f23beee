#include "select/dedup.hpp"

#include <unordered_map>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/timer.hpp"
#include "data/jsonl.hpp"
#include "select/minhash.hpp"
#include "select/page_pipeline.hpp"
#include "select/text_tokens.hpp"
#include "select/url.hpp"

namespace dsmath::select {

PageFields page_fields(const DataConfig& config) {
  return PageFields{config.text_field, config.url_field, config.score_field, config.select.token_field};
}

namespace {

constexpr uint32_t kNoRecord = 0xffffffffu;

}  // namespace

DedupReport dedup_pages(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output,
                        const std::optional<std::filesystem::path>& removed_report, const DataConfig& config,
                        InputFormat format) {
  Stopwatch clock;
  const DedupConfig& dc = config.dedup;
  const int threads = config.resolved_threads();
  const PageFields fields = page_fields(config);
  const MinHasher hasher(MinHashParams{dc.shingle_words, dc.bands, dc.rows, dc.seed});
  const auto bands = static_cast<size_t>(dc.bands);
  DedupReport report;

  // Pass 1, per record (malformed ones included, so that both passes number records alike).
  std::vector<uint64_t> band_keys;       // bands per record
  std::vector<uint8_t> has_keys;         // 1: the record takes part in LSH
  std::vector<uint32_t> url_kept;        // URL duplicates: the record kept; else kNoRecord
  std::unordered_map<uint64_t, uint32_t> first_with_url;
  {
    PageSource source(inputs, format);
    auto stats = run_page_pipeline(
        source, fields, threads, "dedup: hashing",
        [&](Page& page, int) {
          page.keys.clear();
          page.flag = dc.url_dedup && !page.url.empty();
          if (dc.near_dedup) {
            thread_local std::vector<uint64_t> words;
            thread_local std::vector<uint32_t> signature;
            word_hashes(page.text, words);
            if (hasher.signature(words, signature)) {
              page.keys.resize(bands + 1);
              hasher.band_keys(signature, std::span<uint64_t>(page.keys.data(), bands));
            } else {
              page.keys.resize(1);
            }
          } else {
            page.keys.resize(1);
          }
          page.keys.back() = page.flag ? hash64(normalize_url(page.url)) : 0;  // last slot: URL hash
        },
        [&](std::vector<Page>& batch) {
          for (const Page& page : batch) {
            const auto index = static_cast<uint32_t>(has_keys.size());
            DSMATH_CHECK(index != kNoRecord, "more than 2^32-1 records in one dedup run");
            uint32_t kept = kNoRecord;
            bool with_keys = false;
            if (page.error.empty()) {
              if (page.flag) {
                auto [it, inserted] = first_with_url.try_emplace(page.keys.back(), index);
                if (!inserted) kept = it->second;
              }
              with_keys = page.keys.size() == bands + 1 && kept == kNoRecord;
            }
            url_kept.push_back(kept);
            has_keys.push_back(with_keys ? 1 : 0);
            if (with_keys) band_keys.insert(band_keys.end(), page.keys.begin(), page.keys.begin() + static_cast<ptrdiff_t>(bands));
            else band_keys.resize(band_keys.size() + bands, 0);
          }
        });
    stats.fail_if_all_malformed(source);
    report.pages_in = stats.good_pages();
    report.malformed = stats.malformed;
  }
  first_with_url.clear();

  std::vector<uint32_t> representative =
      lsh_cluster_representatives(band_keys, has_keys, dc.bands, threads);
  band_keys = {};
  {
    std::vector<uint32_t> cluster_size(representative.size(), 0);
    for (size_t i = 0; i < representative.size(); ++i)
      if (has_keys[i]) ++cluster_size[representative[i]];
    for (uint32_t size : cluster_size) report.duplicate_clusters += size > 1;
  }

  // Pass 2: write the kept pages; the locations of kept records are needed for the report.
  PageSource source(inputs, format);
  JsonlWriter out(output);
  std::optional<JsonlWriter> removed;
  if (removed_report) removed.emplace(*removed_report);
  std::vector<std::pair<uint32_t, uint64_t>> location_of_record;  // (file, line); only kept for the report
  auto where = [&](uint32_t record) {
    const auto& [file, line] = location_of_record[record];
    return source.inputs()[file].string() + ":" + std::to_string(line);
  };
  uint32_t index = 0;
  run_page_pipeline(
      source, fields, threads, "dedup: writing", [](Page&, int) {},
      [&](std::vector<Page>& batch) {
        for (const Page& page : batch) {
          const uint32_t i = index++;
          if (i >= url_kept.size())
            fail_hint("do not modify the inputs while dedup runs", "the inputs grew between the two passes (to over {} records)",
                      url_kept.size());
          if (removed) location_of_record.emplace_back(page.file_index, page.line);
          if (!page.error.empty()) continue;
          const bool url_dup = url_kept[i] != kNoRecord;
          const bool near_dup = !url_dup && has_keys[i] && representative[i] != i;
          if (!url_dup && !near_dup) {
            out.write_line(page.json);
            ++report.pages_out;
            continue;
          }
          if (url_dup) ++report.url_duplicates;
          else ++report.near_duplicates;
          if (removed) {
            Json line;
            line["where"] = where(i);
            line["url"] = page.url;
            line["reason"] = url_dup ? "url" : "near";
            line["kept"] = where(url_dup ? url_kept[i] : representative[i]);
            removed->write(line);
          }
        }
      });
  if (index != url_kept.size())
    fail_hint("do not modify the inputs while dedup runs", "the inputs changed between the two passes ({} then {} records)",
              url_kept.size(), index);
  out.commit();
  if (removed) removed->commit();
  report.seconds = clock.seconds();
  return report;
}

}  // namespace dsmath::select
