#pragma once
// Streams the text records of JSONL corpora for the tokenizer trainer and `dsmath tokenize`:
// raw lines are read in bounded batches (constant memory whatever the input size; plain or
// gzip, via data/jsonl.hpp's LineReader), and parsed where the work is done, in parallel.
// A line that is not a JSON object with a string field is malformed: reported with file:line
// and counted (an error with `strict`). Blank lines are skipped.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/jsonl.hpp"

namespace dsmath {

struct CorpusBatch {
  std::vector<std::string> lines;
  std::vector<uint32_t> file_index;   // which input each line came from
  std::vector<uint64_t> line_number;  // 1-based
  size_t bytes = 0;
  void clear();
  size_t size() const { return lines.size(); }
};

class CorpusReader {
 public:
  explicit CorpusReader(std::vector<std::filesystem::path> inputs);
  // Fills `batch` with up to max_lines non-blank lines or about max_bytes; false when done.
  bool next(CorpusBatch& batch, size_t max_lines, size_t max_bytes);
  std::string where(const CorpusBatch& batch, size_t i) const;  // "file:line"
  uint64_t bytes_read() const;                                   // uncompressed, all inputs so far
  // Sum of the input sizes when none is gzip (for a progress ETA), else 0.
  uint64_t total_bytes_hint() const;
  const std::vector<std::filesystem::path>& inputs() const { return inputs_; }

 private:
  std::vector<std::filesystem::path> inputs_;
  size_t current_ = 0;
  std::unique_ptr<LineReader> reader_;
  uint64_t finished_bytes_ = 0;
};

// The string `field` of a JSONL line, or nullopt with `error` set (malformed JSON, not an
// object, field missing or not a string). `where` is "file:line" for the message.
std::optional<std::string> corpus_text(std::string_view line, const std::string& field, const std::string& where,
                                       std::string& error);

// Counts malformed lines, logs the first few with their file:line, or throws in strict mode.
class MalformedLines {
 public:
  explicit MalformedLines(bool strict, size_t max_logged = 10) : strict_(strict), max_logged_(max_logged) {}
  void report(const std::string& error);
  uint64_t count() const { return count_; }

 private:
  bool strict_;
  size_t max_logged_;
  uint64_t count_ = 0;
};

}  // namespace dsmath
