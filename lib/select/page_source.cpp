#include "select/page_source.hpp"

#include "core/error.hpp"
#include "data/jsonl.hpp"
#include "select/wet_reader.hpp"

namespace dsmath::select {

InputFormat parse_input_format(const std::string& name) {
  if (name == "auto") return InputFormat::automatic;
  if (name == "jsonl") return InputFormat::jsonl;
  if (name == "wet") return InputFormat::wet;
  fail_hint("use auto, jsonl or wet", "unknown input format '{}'", name);
}

PageSource::PageSource(std::vector<std::filesystem::path> inputs, InputFormat format)
    : inputs_(std::move(inputs)), format_(format) {
  if (inputs_.empty()) fail_hint("give at least one input file", "no input files");
  for (const auto& p : inputs_)
    if (!std::filesystem::is_regular_file(p))
      fail_hint("check the path (inputs are JSONL, JSONL.gz or WET files)", "input file '{}' does not exist or is not a file",
                p.string());
}

PageSource::~PageSource() = default;

bool PageSource::open_next() {
  if (opened_) {
    bytes_done_ += jsonl_ ? jsonl_->bytes_read() : wet_->bytes_read();
    if (wet_) wet_malformed_done_ += wet_->malformed();
    jsonl_.reset();
    wet_.reset();
    ++current_;
  }
  opened_ = true;
  if (current_ >= inputs_.size()) return false;
  const auto& path = inputs_[current_];
  const bool wet = format_ == InputFormat::wet || (format_ == InputFormat::automatic && is_wet_path(path));
  if (wet) wet_ = std::make_unique<WetReader>(path);
  else jsonl_ = std::make_unique<LineReader>(path);
  return true;
}

bool PageSource::next_batch(std::vector<Page>& batch, size_t max_pages, size_t max_bytes) {
  batch.clear();
  size_t bytes = 0;
  if (!opened_ && !open_next()) return false;
  std::string line;
  WetRecord record;
  while (batch.size() < max_pages && bytes < max_bytes) {
    if (current_ >= inputs_.size()) break;
    if (jsonl_) {
      if (!jsonl_->next(line)) {
        open_next();
        continue;
      }
      if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines are not records
      Page& page = batch.emplace_back();
      page.file_index = static_cast<uint32_t>(current_);
      page.line = jsonl_->line_number();
      page.json = std::move(line);
      bytes += page.json.size();
      line = std::string();
    } else {
      if (!wet_->next(record)) {
        open_next();
        continue;
      }
      Page& page = batch.emplace_back();
      page.file_index = static_cast<uint32_t>(current_);
      page.line = record.line;
      page.from_wet = true;
      page.url = std::move(record.url);
      page.text = std::move(record.text);
      page.wet_date = std::move(record.date);
      page.wet_record_id = std::move(record.record_id);
      bytes += page.text.size();
    }
  }
  return !batch.empty();
}

std::string PageSource::where(const Page& page) const {
  return inputs_[page.file_index].string() + ":" + std::to_string(page.line);
}

uint64_t PageSource::bytes_read() const {
  uint64_t b = bytes_done_;
  if (jsonl_) b += jsonl_->bytes_read();
  if (wet_) b += wet_->bytes_read();
  return b;
}

uint64_t PageSource::wet_malformed() const { return wet_malformed_done_ + (wet_ ? wet_->malformed() : 0); }

}  // namespace dsmath::select
