#pragma once
// A web page as the selection stage sees it: from a JSONL line ({"url", "text", ...}) or a
// Common Crawl WET conversion record. The JSONL line is kept as read so that every stage
// passes through the fields it does not know.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace dsmath::select {

struct PageFields {
  std::string text_field = "text";
  std::string url_field = "url";
  std::string score_field = "math_score";
  std::string token_field = "n_tokens";
};

struct Page {
  // source
  uint32_t file_index = 0;
  uint64_t line = 0;       // JSONL line, or line of the WARC header of a WET record
  bool from_wet = false;
  std::string json;        // the JSONL line (for WET records: built by parse_page)
  // parsed
  std::string text;
  std::string url;
  std::string wet_date;    // WARC-Date, WET only
  std::string wet_record_id;
  std::optional<double> score;
  std::optional<double> n_tokens;
  bool has_score_field = false;
  std::string error;       // non-empty: the record is malformed and skipped, with this reason
  // what a command's worker threads compute for the page and its consumer reads
  double value = 0;
  bool flag = false;
  std::vector<uint64_t> keys;
  std::string output;  // the JSONL line to write
  std::string report;  // a JSONL line for the command's report file
};

// Fills text/url/score/n_tokens from page.json with simdjson (for WET pages: builds page.json
// from the record). Sets page.error instead of throwing on malformed input. `json` gets
// SIMDJSON padding added to its capacity.
class PageParser {
 public:
  explicit PageParser(PageFields fields);
  ~PageParser();
  PageParser(const PageParser&) = delete;
  PageParser& operator=(const PageParser&) = delete;
  void parse(Page& page);

 private:
  PageFields fields_;
  struct Impl;
  Impl* impl_;
};

// page.json with `score_field` set to `score` (appended to the line as text when the field is
// new, re-serialized when it replaces an old value).
std::string json_with_score(const Page& page, std::string_view score_field, double score);
// page.json with `text_field` replaced.
std::string json_with_text(const Page& page, std::string_view text_field, std::string_view text);

}  // namespace dsmath::select
