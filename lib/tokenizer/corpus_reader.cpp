#include "tokenizer/corpus_reader.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "tokenizer/utf8.hpp"

namespace dsmath {

void CorpusBatch::clear() {
  lines.clear();
  file_index.clear();
  line_number.clear();
  bytes = 0;
}

CorpusReader::CorpusReader(std::vector<std::filesystem::path> inputs) : inputs_(std::move(inputs)) {
  if (inputs_.empty()) fail_hint("pass --input FILE.jsonl (repeatable)", "no input files given");
  for (const auto& p : inputs_)
    if (!std::filesystem::is_regular_file(p)) fail_hint("check the path", "input file '{}' does not exist", p.string());
}

bool CorpusReader::next(CorpusBatch& batch, size_t max_lines, size_t max_bytes) {
  batch.clear();
  std::string line;
  while (batch.size() < max_lines && batch.bytes < max_bytes) {
    if (!reader_) {
      if (current_ >= inputs_.size()) break;
      reader_ = std::make_unique<LineReader>(inputs_[current_]);
    }
    if (!reader_->next(line)) {
      finished_bytes_ += reader_->bytes_read();
      reader_.reset();
      ++current_;
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    batch.bytes += line.size();
    batch.lines.push_back(std::move(line));
    batch.file_index.push_back(static_cast<uint32_t>(current_));
    batch.line_number.push_back(reader_->line_number());
  }
  return !batch.lines.empty();
}

std::string CorpusReader::where(const CorpusBatch& batch, size_t i) const {
  return inputs_[batch.file_index[i]].string() + ":" + std::to_string(batch.line_number[i]);
}

uint64_t CorpusReader::bytes_read() const { return finished_bytes_ + (reader_ ? reader_->bytes_read() : 0); }

uint64_t CorpusReader::total_bytes_hint() const {
  uint64_t total = 0;
  for (const auto& p : inputs_) {
    if (p.extension() == ".gz") return 0;
    total += std::filesystem::file_size(p);
  }
  return total;
}

std::optional<std::string> corpus_text(std::string_view line, const std::string& field, const std::string& where,
                                       std::string& error) {
  try {
    // invalid UTF-8 is replaced (U+FFFD) as for any text given to the tokenizer, rather than
    // making the whole line malformed
    const std::string repaired = is_valid_utf8(line) ? std::string() : repair_utf8(line);
    const Json record = parse_json_object(repaired.empty() ? line : std::string_view(repaired), where);
    auto text = string_field(record, field);
    if (!text) {
      error = fmt::format("{}: {} field \"{}\"", where, record.contains(field) ? "non-string" : "no", field);
      return std::nullopt;
    }
    return text;
  } catch (const Error& e) {
    error = e.what();
    return std::nullopt;
  }
}

void MalformedLines::report(const std::string& error) {
  ++count_;
  if (strict_) fail_hint("fix the line, or drop --strict to skip and count malformed lines", "{}", error);
  if (count_ <= max_logged_) log::warn("skipping malformed line: {}", error);
  if (count_ == max_logged_) log::warn("further malformed lines are counted, not shown");
}

}  // namespace dsmath
