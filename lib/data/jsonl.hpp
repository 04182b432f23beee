#pragma once
// JSONL, the text format of every stage (DESIGN.md section 4): one JSON object per line.
// LineReader streams lines from plain or gzip files (zlib reads both) with constant memory;
// errors name file:line. JsonlWriter writes atomically: the output appears complete or not
// at all.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/files.hpp"
#include "core/json.hpp"

namespace dsmath {

class LineReader {
 public:
  // max_line_bytes > 0 cuts longer lines into pieces of that size (for formats where a huge
  // "line" is garbage, e.g. WARC headers); 0 = no limit.
  explicit LineReader(const std::filesystem::path& path, size_t max_line_bytes = 0);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Next line without its '\n' (and '\r'); false at end of file.
  bool next(std::string& line);
  // The next n bytes whatever they hold (a WARC record body); false if the file ends first.
  // Newlines inside count towards line_number().
  bool read_bytes(uint64_t n, std::string& out);
  uint64_t line_number() const { return line_number_; }  // 1-based number of the last line read
  uint64_t bytes_read() const { return bytes_read_; }    // uncompressed bytes consumed so far
  const std::filesystem::path& path() const { return path_; }
  std::string where() const;                             // "file:line"

 private:
  bool fill();
  std::filesystem::path path_;
  size_t max_line_bytes_ = 0;
  void* gz_ = nullptr;
  std::string buffer_;
  size_t pos_ = 0;
  bool eof_ = false;
  uint64_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
};

// Parses one JSONL line into an object; the error names file:line and what is wrong.
Json parse_json_object(std::string_view line, const std::string& where);

// Calls `record` with each non-empty line of `file` parsed as JSON. A line that does not parse,
// or whose fields `record` cannot read (nlohmann's at()/get() throw), fails naming file:line,
// with `hint` as the fix.
void for_each_json_line(const std::filesystem::path& file, const std::string& hint,
                        const std::function<void(const Json&)>& record);

// Reads a string field of a JSON object ("text", "question", ...); nullopt when absent or not
// a string.
std::optional<std::string> string_field(const Json& object, std::string_view key);

class JsonlWriter {
 public:
  explicit JsonlWriter(std::filesystem::path path);
  void write(const Json& object);
  void write_line(std::string_view json_text);  // already-serialized object
  void commit();                                // atomically publish the file
  uint64_t lines() const { return lines_; }

 private:
  AtomicFile file_;
  std::string pending_;
  uint64_t lines_ = 0;
};

}  // namespace dsmath
