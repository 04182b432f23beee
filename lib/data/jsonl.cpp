#include "data/jsonl.hpp"

#include <zlib.h>

#include <algorithm>

#include "core/error.hpp"

namespace dsmath {

LineReader::LineReader(const std::filesystem::path& path, size_t max_line_bytes)
    : path_(path), max_line_bytes_(max_line_bytes) {
  if (!std::filesystem::exists(path)) fail_hint("check the path", "input file '{}' does not exist", path.string());
  gz_ = gzopen(path.c_str(), "rb");
  if (gz_ == nullptr) fail("cannot open '{}'", path.string());
  gzbuffer(static_cast<gzFile>(gz_), 1 << 20);
}

LineReader::~LineReader() {
  if (gz_ != nullptr) gzclose(static_cast<gzFile>(gz_));
}

std::string LineReader::where() const { return path_.string() + ":" + std::to_string(line_number_); }

bool LineReader::fill() {
  if (eof_) return false;
  buffer_.erase(0, pos_);
  pos_ = 0;
  const size_t old = buffer_.size();
  constexpr size_t kChunk = 1 << 20;
  buffer_.resize(old + kChunk);
  const int n = gzread(static_cast<gzFile>(gz_), buffer_.data() + old, static_cast<unsigned>(kChunk));
  if (n < 0) {
    int errnum = 0;
    const char* msg = gzerror(static_cast<gzFile>(gz_), &errnum);
    fail_hint("the file may be truncated or not gzip", "error reading '{}' near line {}: {}", path_.string(),
              line_number_ + 1, msg);
  }
  buffer_.resize(old + static_cast<size_t>(n));
  if (n == 0) eof_ = true;
  return n > 0;
}

bool LineReader::next(std::string& line) {
  while (true) {
    const size_t nl = buffer_.find('\n', pos_);
    if (nl != std::string::npos) {
      line.assign(buffer_, pos_, nl - pos_);
      bytes_read_ += nl - pos_ + 1;
      pos_ = nl + 1;
      break;
    }
    const bool too_long = max_line_bytes_ > 0 && buffer_.size() - pos_ > max_line_bytes_;
    if (too_long || !fill()) {
      if (pos_ >= buffer_.size()) return false;
      // the last line without '\n', or a piece of an over-long one
      const size_t take = max_line_bytes_ > 0 ? std::min(buffer_.size() - pos_, max_line_bytes_) : buffer_.size() - pos_;
      line.assign(buffer_, pos_, take);
      bytes_read_ += take;
      pos_ += take;
      break;
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++line_number_;
  return true;
}

bool LineReader::read_bytes(uint64_t n, std::string& out) {
  out.clear();
  while (out.size() < n) {
    if (pos_ >= buffer_.size() && !fill()) return false;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(n - out.size(), buffer_.size() - pos_));
    out.append(buffer_, pos_, take);
    line_number_ += static_cast<uint64_t>(std::count(buffer_.begin() + static_cast<ptrdiff_t>(pos_),
                                                     buffer_.begin() + static_cast<ptrdiff_t>(pos_ + take), '\n'));
    pos_ += take;
    bytes_read_ += take;
  }
  return true;
}

Json parse_json_object(std::string_view line, const std::string& where) {
  Json j;
  try {
    j = Json::parse(line);
  } catch (const Json::parse_error& e) {
    fail_hint("each line must be one complete JSON object", "{}: malformed JSON: {}", where, e.what());
  }
  if (!j.is_object()) fail_hint("each line must be one JSON object", "{}: expected a JSON object, got {}", where, j.type_name());
  return j;
}

void for_each_json_line(const std::filesystem::path& file, const std::string& hint,
                        const std::function<void(const Json&)>& record) {
  LineReader r(file);
  std::string line;
  for (int64_t n = 1; r.next(line); ++n) {
    if (line.empty()) continue;
    try {
      record(Json::parse(line));
    } catch (const Json::exception& e) {
      fail_hint(hint, "{}:{}: {}", file.string(), n, e.what());
    }
  }
}

std::optional<std::string> string_field(const Json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

JsonlWriter::JsonlWriter(std::filesystem::path path) : file_(std::move(path)) {}

void JsonlWriter::write(const Json& object) {
  // replace invalid UTF-8 instead of throwing: text from the web is not always clean
  write_line(object.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void JsonlWriter::write_line(std::string_view json_text) {
  pending_.append(json_text);
  pending_.push_back('\n');
  ++lines_;
  if (pending_.size() >= (1 << 20)) {
    file_.write(pending_);
    pending_.clear();
  }
}

void JsonlWriter::commit() {
  if (!pending_.empty()) file_.write(pending_);
  pending_.clear();
  file_.commit();
}

}  // namespace dsmath
