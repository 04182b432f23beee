#pragma once
// Common Crawl WET files: WARC/1.0 records (ISO 28500; the WARC 1.1 spec, section 4) holding
// the plain text Common Crawl extracted from each page, one gzip member per record. A record
// is a version line "WARC/1.0", header lines "Name: value", an empty line, Content-Length
// bytes of content, and "\r\n\r\n". WET files start with a "warcinfo" record; each page is a
// "conversion" record with WARC-Target-URI. zlib's gzread reads the concatenated members (and
// plain, uncompressed files) as one stream.
//
// Malformed records (no version line where one is expected, a header without ':', a missing
// or bad Content-Length, content cut short by the end of the file) are skipped, counted and
// logged with file:line; reading resumes at the next "WARC/" line.
#include <cstdint>
#include <filesystem>
#include <string>

#include "data/jsonl.hpp"

namespace dsmath::select {

struct WetRecord {
  std::string url;        // WARC-Target-URI
  std::string date;       // WARC-Date
  std::string record_id;  // WARC-Record-ID
  std::string text;       // the content block
  uint64_t line = 0;      // line of the record's version line in the uncompressed stream
};

class WetReader {
 public:
  explicit WetReader(const std::filesystem::path& path);

  // Next conversion record; false at the end of the file. Other record types are skipped.
  bool next(WetRecord& record);

  uint64_t records() const { return records_; }            // every well-formed record, any type
  uint64_t conversions() const { return conversions_; }    // pages returned
  uint64_t malformed() const { return malformed_; }
  uint64_t bytes_read() const { return lines_.bytes_read(); }  // uncompressed
  const std::filesystem::path& path() const { return lines_.path(); }

  // Content-Length above this is treated as malformed (a corrupt header would otherwise make
  // the reader swallow the rest of the file).
  static constexpr uint64_t kMaxContentBytes = 256ull << 20;

 private:
  bool read_line(std::string& line) { return lines_.next(line); }  // without "\r\n"; false at end of file
  void report_malformed(uint64_t line, const std::string& why);
  bool skip_to_next_version_line(std::string& line);

  LineReader lines_;  // gzip or plain; line_number() = lines consumed so far
  uint64_t records_ = 0;
  uint64_t conversions_ = 0;
  uint64_t malformed_ = 0;
  bool have_pending_version_line_ = false;
};

// True when `path` names a WARC/WET file by its extension (.wet, .warc, optionally .gz).
bool is_wet_path(const std::filesystem::path& path);

}  // namespace dsmath::select
