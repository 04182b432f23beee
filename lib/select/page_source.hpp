#pragma once
// The pages of a list of input files, JSONL (plain or gzip) or WET, read in batches. Reading
// is sequential (gzip inflation is); parsing the JSON of each page is left to the worker
// threads (PageParser), so that only the line split runs on the reading thread.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "select/page.hpp"

namespace dsmath {
class LineReader;
}

namespace dsmath::select {

class WetReader;

enum class InputFormat { automatic, jsonl, wet };
InputFormat parse_input_format(const std::string& name);  // "auto" | "jsonl" | "wet"

class PageSource {
 public:
  PageSource(std::vector<std::filesystem::path> inputs, InputFormat format = InputFormat::automatic);
  ~PageSource();
  PageSource(const PageSource&) = delete;
  PageSource& operator=(const PageSource&) = delete;

  // Replaces `batch` with up to `max_pages` pages / about `max_bytes` bytes; false when the
  // inputs are exhausted (and `batch` is empty).
  bool next_batch(std::vector<Page>& batch, size_t max_pages = 4096, size_t max_bytes = 32u << 20);

  const std::vector<std::filesystem::path>& inputs() const { return inputs_; }
  // "file:line" of a page read by this source.
  std::string where(const Page& page) const;
  uint64_t bytes_read() const;         // uncompressed bytes of all inputs so far
  uint64_t wet_malformed() const;      // WET records skipped as malformed (JSONL errors are the caller's)

 private:
  bool open_next();
  std::vector<std::filesystem::path> inputs_;
  InputFormat format_;
  size_t current_ = 0;  // index of the open input (inputs_.size(): none left)
  bool opened_ = false;
  std::unique_ptr<LineReader> jsonl_;
  std::unique_ptr<WetReader> wet_;
  uint64_t bytes_done_ = 0;  // of the closed inputs
  uint64_t wet_malformed_done_ = 0;
};

}  // namespace dsmath::select
