#include "select/wet_reader.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"

namespace dsmath::select {
namespace {

constexpr size_t kMaxLineBytes = 1 << 20;  // a longer "line" in a header is garbage; it is cut here
constexpr uint64_t kMalformedLogged = 10;   // per file; the rest are only counted

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string preview(std::string_view s) {
  std::string out(s.substr(0, 60));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 32) c = '?';
  return s.size() > 60 ? out + "..." : out;
}

}  // namespace

bool is_wet_path(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  if (name.size() > 3 && name.ends_with(".gz")) name.resize(name.size() - 3);
  return name.ends_with(".wet") || name.ends_with(".warc");
}

WetReader::WetReader(const std::filesystem::path& path) : lines_(path, kMaxLineBytes) {}

void WetReader::report_malformed(uint64_t line, const std::string& why) {
  ++malformed_;
  if (malformed_ <= kMalformedLogged)
    log::warn("{}:{}: skipping malformed WARC record: {}", lines_.path().string(), line, why);
  if (malformed_ == kMalformedLogged)
    log::warn("{}: further malformed records are only counted", lines_.path().string());
}

bool WetReader::skip_to_next_version_line(std::string& line) {
  while (read_line(line)) {
    if (starts_with(line, "WARC/")) {
      have_pending_version_line_ = true;
      return true;
    }
  }
  return false;
}

bool WetReader::next(WetRecord& record) {
  std::string line;
  std::string content;
  while (true) {
    if (!have_pending_version_line_) {
      do {
        if (!read_line(line)) return false;
      } while (trim(line).empty());
      if (!starts_with(line, "WARC/")) {
        report_malformed(lines_.line_number(), fmt::format("expected a version line 'WARC/1.0', found '{}'", preview(line)));
        if (!skip_to_next_version_line(line)) return false;
      }
    }
    have_pending_version_line_ = false;
    const uint64_t record_line = lines_.line_number();
    std::string type, url, date, id;
    std::optional<uint64_t> content_length;
    std::string problem;
    bool ended_header = false;
    while (read_line(line)) {
      if (line.empty()) {
        ended_header = true;
        break;
      }
      if (starts_with(line, "WARC/")) {
        problem = "the header has no empty line before the next record";
        have_pending_version_line_ = true;
        break;
      }
      const size_t colon = line.find(':');
      if (colon == std::string::npos) {
        problem = fmt::format("header line {} has no ':' ('{}')", lines_.line_number(), preview(line));
        break;
      }
      const std::string_view name = trim(std::string_view(line).substr(0, colon));
      const std::string_view value = trim(std::string_view(line).substr(colon + 1));
      if (equals_ignore_case(name, "WARC-Type")) {
        type = value;
      } else if (equals_ignore_case(name, "WARC-Target-URI")) {
        url = value;
        if (url.size() >= 2 && url.front() == '<' && url.back() == '>') url = url.substr(1, url.size() - 2);
      } else if (equals_ignore_case(name, "WARC-Date")) {
        date = value;
      } else if (equals_ignore_case(name, "WARC-Record-ID")) {
        id = value;
      } else if (equals_ignore_case(name, "Content-Length")) {
        uint64_t n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || end != value.data() + value.size()) {
          problem = fmt::format("Content-Length '{}' is not a byte count", preview(value));
          break;
        }
        content_length = n;
      }
    }
    if (problem.empty() && !ended_header && !have_pending_version_line_) {
      report_malformed(record_line, "the file ends inside the record header");
      return false;
    }
    if (problem.empty() && !content_length) problem = "the header has no Content-Length";
    if (problem.empty() && *content_length > kMaxContentBytes)
      problem = fmt::format("Content-Length {} is over the {} byte limit", *content_length, kMaxContentBytes);
    if (!problem.empty()) {
      report_malformed(record_line, problem);
      if (!have_pending_version_line_ && !skip_to_next_version_line(line)) return false;
      continue;
    }
    if (!lines_.read_bytes(*content_length, content)) {
      report_malformed(record_line, fmt::format("the content is cut short: Content-Length {} but the file ends after {} bytes",
                                                *content_length, content.size()));
      return false;
    }
    ++records_;
    if (type != "conversion") continue;
    ++conversions_;
    record.url = std::move(url);
    record.date = std::move(date);
    record.record_id = std::move(id);
    record.text = std::move(content);
    record.line = record_line;
    return true;
  }
}

}  // namespace dsmath::select
