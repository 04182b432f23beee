#include "select/decontamination.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "data/jsonl.hpp"
#include "select/dedup.hpp"
#include "select/page_pipeline.hpp"
#include "select/text_tokens.hpp"

namespace dsmath::select {

ContaminationIndex::ContaminationIndex(int ngram, int short_min_words)
    : ngram_(ngram), short_min_(short_min_words), short_by_length_(static_cast<size_t>(ngram)) {
  DSMATH_CHECK(ngram >= 2 && short_min_words >= 1 && short_min_words < ngram, "ngram {} short_min {}", ngram,
               short_min_words);
}

uint32_t ContaminationIndex::benchmark_index(const std::string& name) {
  for (size_t i = 0; i < benchmark_names_.size(); ++i)
    if (benchmark_names_[i] == name) return static_cast<uint32_t>(i);
  benchmark_names_.push_back(name);
  return static_cast<uint32_t>(benchmark_names_.size() - 1);
}

bool ContaminationIndex::add(std::string_view text, uint32_t benchmark, std::string where, std::string field) {
  thread_local std::vector<uint64_t> words;
  word_hashes(text, words);
  const size_t n = words.size();
  const auto ngram = static_cast<size_t>(ngram_);
  if (n < static_cast<size_t>(short_min_)) return false;
  const auto id = static_cast<uint32_t>(texts_.size());
  texts_.push_back({benchmark, std::move(where), std::move(field)});
  if (n < ngram) {
    if (short_by_length_[n].try_emplace(hash64(words.data(), n * sizeof(uint64_t)), id).second) ++short_count_;
    return true;
  }
  for (size_t i = 0; i + ngram <= n; ++i) ngram_to_text_.try_emplace(hash64(words.data() + i, ngram * sizeof(uint64_t)), id);
  return true;
}

uint64_t ContaminationIndex::add_jsonl(const std::filesystem::path& path, const std::string& name,
                                       const std::vector<std::string>& fields) {
  const uint32_t benchmark = benchmark_index(name);
  LineReader reader(path);
  std::string line;
  uint64_t added = 0;
  std::vector<bool> field_seen(fields.size(), false);
  while (reader.next(line)) {
    if (trim(line).empty()) continue;
    const Json object = parse_json_object(line, reader.where());
    for (size_t f = 0; f < fields.size(); ++f) {
      auto text = string_field(object, fields[f]);
      if (!text) continue;
      field_seen[f] = true;
      added += add(*text, benchmark, reader.where(), fields[f]);
    }
  }
  for (size_t f = 0; f < fields.size(); ++f)
    if (!field_seen[f])
      fail_hint("check decontamination.benchmarks[].fields against the file", "{}: no line has a string field '{}' (benchmark '{}')",
                path.string(), fields[f], name);
  return added;
}

void ContaminationIndex::find(std::string_view text, std::vector<ContaminationMatch>& matches) const {
  thread_local std::vector<uint64_t> words;
  thread_local std::vector<TokenSpan> spans;
  matches.clear();
  word_hashes(text, words, &spans);
  const size_t n = words.size();
  auto record = [&](uint32_t id, bool is_short, size_t first, size_t count) {
    matches.push_back({id, is_short, static_cast<uint32_t>(first), static_cast<uint32_t>(count), spans[first].begin,
                       spans[first + count - 1].end});
  };
  // every window of `length` words of the text, looked up in the table of that length
  auto scan = [&](const std::unordered_map<uint64_t, uint32_t>& table, size_t length, bool is_short) {
    if (table.empty()) return;
    for (size_t i = 0; i + length <= n; ++i) {
      auto it = table.find(hash64(words.data() + i, length * sizeof(uint64_t)));
      if (it != table.end()) record(it->second, is_short, i, length);
    }
  };
  const auto ngram = static_cast<size_t>(ngram_);
  scan(ngram_to_text_, ngram, false);
  for (size_t length = static_cast<size_t>(short_min_); length < ngram; ++length)
    scan(short_by_length_[length], length, true);
  std::stable_sort(matches.begin(), matches.end(),
                   [](const ContaminationMatch& a, const ContaminationMatch& b) { return a.byte_begin < b.byte_begin; });
}

ContaminationIndex build_contamination_index(const DecontaminationConfig& config) {
  ContaminationIndex index(config.ngram, config.short_min_words);
  for (const BenchmarkSource& source : config.benchmarks) {
    std::filesystem::path path = source.path;
    if (path.is_relative() && !config.benchmark_dir.empty()) path = std::filesystem::path(config.benchmark_dir) / path;
    if (!std::filesystem::exists(path))
      fail_hint("set decontamination.benchmark_dir (or --benchmark-dir) to the folder holding the benchmarks, or fix the "
                "path in decontamination.benchmarks",
                "benchmark file '{}' of '{}' does not exist", path.string(), source.name);
    const uint64_t added = index.add_jsonl(path, source.name, source.fields);
    log::info("decontamination: indexed {} texts of {} ({})", added, source.name, path.string());
  }
  return index;
}

namespace {

// Lines of `text` that overlap no match, joined again; `removed` counts the dropped lines.
std::string text_without_matched_lines(std::string_view text, const std::vector<ContaminationMatch>& matches,
                                       uint64_t& removed) {
  std::vector<size_t> line_starts{0};
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_starts.push_back(i + 1);
  std::vector<uint8_t> hit(line_starts.size(), 0);
  for (const auto& m : matches) {
    // lines from the one holding byte_begin to the one holding byte_end - 1
    auto first = std::upper_bound(line_starts.begin(), line_starts.end(), m.byte_begin) - line_starts.begin() - 1;
    auto last = std::upper_bound(line_starts.begin(), line_starts.end(), m.byte_end - 1) - line_starts.begin() - 1;
    for (auto l = first; l <= last; ++l) hit[static_cast<size_t>(l)] = 1;
  }
  std::string out;
  bool first_kept = true;
  for (size_t l = 0; l < line_starts.size(); ++l) {
    if (hit[l]) {
      ++removed;
      continue;
    }
    const size_t end = l + 1 < line_starts.size() ? line_starts[l + 1] - 1 : text.size();
    if (!first_kept) out.push_back('\n');
    out.append(text.substr(line_starts[l], end - line_starts[l]));
    first_kept = false;
  }
  return out;
}

}  // namespace

DecontaminationReport decontaminate_pages(const std::vector<std::filesystem::path>& inputs,
                                          const std::filesystem::path& output,
                                          const std::optional<std::filesystem::path>& report_path,
                                          const ContaminationIndex& index, const DataConfig& config,
                                          InputFormat format) {
  Stopwatch clock;
  const bool by_segment = config.decontamination.unit == "segment";
  const std::string rule_ngram = fmt::format("{}-gram", config.decontamination.ngram);
  DecontaminationReport report;
  report.indexed_texts = index.texts().size();
  report.indexed_ngrams = index.ngrams();
  report.indexed_short_texts = index.short_texts();
  std::vector<uint64_t> pages_by_benchmark(index.benchmark_names().size(), 0);

  PageSource source(inputs, format);
  JsonlWriter out(output);
  std::optional<JsonlWriter> removed_log;
  if (report_path) removed_log.emplace(*report_path);
  const auto stats = run_page_pipeline(
      source, page_fields(config), config.resolved_threads(), "decontaminate",
      [&](Page& page, int) {
        thread_local std::vector<ContaminationMatch> matches;
        thread_local std::vector<TokenSpan> spans;
        thread_local std::vector<uint64_t> words;
        index.find(page.text, matches);
        page.flag = !matches.empty();  // contaminated
        page.keys.clear();
        if (matches.empty()) return;
        for (const auto& m : matches) page.keys.push_back(index.texts()[m.text].benchmark);
        std::sort(page.keys.begin(), page.keys.end());
        page.keys.erase(std::unique(page.keys.begin(), page.keys.end()), page.keys.end());
        uint64_t segments = 0;
        bool drop_page = true;
        if (by_segment) {
          std::string kept = text_without_matched_lines(page.text, matches, segments);
          word_hashes(kept, words);
          if (!words.empty()) {
            drop_page = false;
            page.output = json_with_text(page, config.text_field, kept);
          }
        }
        page.value = static_cast<double>(segments);
        if (!removed_log) return;
        Json line;
        line["where"] = source.where(page);
        line["url"] = page.url;
        line["action"] = drop_page ? "removed_page" : "removed_segments";
        if (by_segment) line["segments_removed"] = segments;
        Json list = Json::array();
        std::vector<uint32_t> reported;  // one entry per benchmark text
        word_hashes(page.text, words, &spans);
        for (const auto& m : matches) {
          if (std::find(reported.begin(), reported.end(), m.text) != reported.end()) continue;
          reported.push_back(m.text);
          const BenchmarkText& t = index.texts()[m.text];
          Json entry;
          entry["benchmark"] = index.benchmark_names()[t.benchmark];
          entry["source"] = t.where;
          entry["field"] = t.field;
          entry["rule"] = m.short_text ? "short-text" : rule_ngram;
          entry["matched"] = words_text(page.text, spans, m.first_word, m.word_count);
          list.push_back(std::move(entry));
        }
        line["matches"] = std::move(list);
        page.report = line.dump(-1, ' ', false, Json::error_handler_t::replace);
      },
      [&](std::vector<Page>& batch) {
        for (const Page& page : batch) {
          if (!page.error.empty()) continue;
          if (page.flag) {
            for (uint64_t b : page.keys) ++pages_by_benchmark[b];
            if (removed_log) removed_log->write_line(page.report);
            if (page.output.empty()) {
              ++report.pages_removed;
              continue;
            }
            ++report.pages_trimmed;
            report.segments_removed += static_cast<uint64_t>(page.value);
            out.write_line(page.output);
          } else {
            out.write_line(page.json);
          }
          ++report.pages_out;
        }
      });
  stats.fail_if_all_malformed(source);
  out.commit();
  if (removed_log) removed_log->commit();
  report.pages_in = stats.good_pages();
  report.malformed = stats.malformed;
  for (size_t b = 0; b < pages_by_benchmark.size(); ++b)
    report.pages_by_benchmark.emplace_back(index.benchmark_names()[b], pages_by_benchmark[b]);
  report.seconds = clock.seconds();
  return report;
}

}  // namespace dsmath::select
