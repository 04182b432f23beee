#pragma once
// Benchmark decontamination (paper section 2.1): a page sharing a 10-gram (of words, as
// text_tokens.hpp splits them) with a benchmark question or answer is contaminated; a
// benchmark text of 3 to 9 words contaminates a page that contains it whole (exact match of
// the word sequence). Texts under 3 words are too common to match on and are not indexed.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "select/data_config.hpp"
#include "select/page_source.hpp"

namespace dsmath::select {

// Where an indexed benchmark text came from.
struct BenchmarkText {
  uint32_t benchmark = 0;  // index into ContaminationIndex::benchmark_names()
  std::string where;       // "file:line"
  std::string field;
};

struct ContaminationMatch {
  uint32_t text = 0;           // index into ContaminationIndex::texts()
  bool short_text = false;     // the whole (3..n-1 word) benchmark text matched
  uint32_t first_word = 0;     // the match in the page: word range and byte range
  uint32_t word_count = 0;
  uint32_t byte_begin = 0, byte_end = 0;
};

class ContaminationIndex {
 public:
  ContaminationIndex(int ngram, int short_min_words);

  // Indexes `text`; returns false when it has fewer than short_min_words words.
  bool add(std::string_view text, uint32_t benchmark, std::string where, std::string field);
  // Indexes the string fields `fields` of every line of a benchmark JSONL file; returns the
  // number of texts indexed. A line that is not a JSON object is an error (file:line).
  uint64_t add_jsonl(const std::filesystem::path& path, const std::string& name, const std::vector<std::string>& fields);

  // Every match in `text`, in page order (several benchmark texts may match one span).
  void find(std::string_view text, std::vector<ContaminationMatch>& matches) const;

  const std::vector<std::string>& benchmark_names() const { return benchmark_names_; }
  const std::vector<BenchmarkText>& texts() const { return texts_; }
  uint64_t ngrams() const { return ngram_to_text_.size(); }
  uint64_t short_texts() const { return short_count_; }

 private:
  uint32_t benchmark_index(const std::string& name);
  int ngram_;
  int short_min_;
  std::vector<std::string> benchmark_names_;
  std::vector<BenchmarkText> texts_;
  std::unordered_map<uint64_t, uint32_t> ngram_to_text_;  // n-gram hash -> first text holding it
  std::vector<std::unordered_map<uint64_t, uint32_t>> short_by_length_;  // [words] hash -> text
  uint64_t short_count_ = 0;
};

// Loads every benchmark of config.decontamination (relative paths against benchmark_dir).
ContaminationIndex build_contamination_index(const DecontaminationConfig& config);

struct DecontaminationReport {
  uint64_t pages_in = 0;
  uint64_t malformed = 0;
  uint64_t pages_removed = 0;
  uint64_t pages_trimmed = 0;     // unit "segment": pages that lost lines but were kept
  uint64_t segments_removed = 0;
  uint64_t pages_out = 0;
  std::vector<std::pair<std::string, uint64_t>> pages_by_benchmark;  // pages with a match, per benchmark
  uint64_t indexed_texts = 0, indexed_ngrams = 0, indexed_short_texts = 0;
  double seconds = 0;
};

// `report` (optional): one JSONL line per page removed or trimmed: where, url, action and the
// matches (benchmark, its file:line and field, rule "10-gram"/"short-text", the matched words).
DecontaminationReport decontaminate_pages(const std::vector<std::filesystem::path>& inputs,
                                          const std::filesystem::path& output,
                                          const std::optional<std::filesystem::path>& report_path,
                                          const ContaminationIndex& index, const DataConfig& config,
                                          InputFormat format = InputFormat::automatic);

}  // namespace dsmath::select
