#include "train/packed_dataset.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "core/strings.hpp"
#include "data/jsonl.hpp"
#include "tokenizer/chat_template.hpp"

namespace dsmath {

namespace {
struct RawExample {
  std::vector<ChatMessage> messages;
  std::string where;
};

// {"messages": [{"role", "content"}...]} or {"prompt", "response"}; nullopt + message if invalid.
std::optional<std::vector<ChatMessage>> parse_example(const Json& j, std::string& problem) {
  std::vector<ChatMessage> messages;
  if (j.contains("messages")) {
    const Json& m = j["messages"];
    if (!m.is_array() || m.empty()) {
      problem = "\"messages\" must be a non-empty list";
      return std::nullopt;
    }
    for (size_t i = 0; i < m.size(); ++i) {
      if (!m[i].is_object() || !m[i].contains("role") || !m[i]["role"].is_string() || !m[i].contains("content") ||
          !m[i]["content"].is_string()) {
        problem = fmt::format("messages[{}] must be {{\"role\": string, \"content\": string}}", i);
        return std::nullopt;
      }
      messages.push_back({m[i]["role"].get<std::string>(), m[i]["content"].get<std::string>()});
    }
  } else if (j.contains("prompt") && j.contains("response")) {
    if (!j["prompt"].is_string() || !j["response"].is_string()) {
      problem = "\"prompt\" and \"response\" must be strings";
      return std::nullopt;
    }
    messages.push_back({"user", j["prompt"].get<std::string>()});
    messages.push_back({"assistant", j["response"].get<std::string>()});
  } else {
    problem = "expected {\"messages\": [...]} or {\"prompt\": ..., \"response\": ...}";
    return std::nullopt;
  }
  bool has_response = false;
  for (const auto& msg : messages) {
    if (msg.role != "system" && msg.role != "user" && msg.role != "assistant") {
      problem = fmt::format("unknown role '{}' (expected system, user or assistant)", msg.role);
      return std::nullopt;
    }
    if (msg.role == "assistant") {
      if (trim(msg.content).empty()) {
        problem = "an assistant message is empty (nothing to learn from)";
        return std::nullopt;
      }
      has_response = true;
    }
  }
  if (!has_response) {
    problem = "no assistant message (nothing to learn from)";
    return std::nullopt;
  }
  return messages;
}
}  // namespace

void reject_record(const std::string& where, const std::string& problem, bool skip_invalid, size_t& skipped) {
  const std::string msg = problem.rfind(where, 0) == 0 ? problem : where + ": " + problem;
  if (!skip_invalid) throw Error(msg, "fix the record, or set data.skip_invalid: true to skip and count such records");
  log::warn("skipping {}", msg);
  ++skipped;
}

std::vector<PackedExample> load_sft_examples(const SftDataConfig& config, const Tokenizer& tokenizer, SftLoadStats& stats) {
  std::vector<RawExample> raw;
  for (const auto& file : config.train) {
    LineReader reader(file);
    std::string line;
    while (reader.next(line)) {
      if (trim(line).empty()) continue;
      std::string problem;
      std::optional<std::vector<ChatMessage>> messages;
      try {
        messages = parse_example(parse_json_object(line, reader.where()), problem);
      } catch (const Error& e) {
        problem = e.what();
      }
      if (!messages) {
        reject_record(reader.where(), problem, config.skip_invalid, stats.skipped_invalid);
        continue;
      }
      raw.push_back({std::move(*messages), reader.where()});
    }
  }
  const ChatFormat chat = ChatFormat::for_tokenizer(tokenizer);
  std::vector<ChatTokens> encoded(raw.size());
#pragma omp parallel for schedule(dynamic, 64)
  for (size_t i = 0; i < raw.size(); ++i) encoded[i] = chat.encode(tokenizer, raw[i].messages, false);

  std::vector<PackedExample> out;
  out.reserve(raw.size());
  const size_t limit = static_cast<size_t>(config.seq_len);
  for (size_t i = 0; i < raw.size(); ++i) {
    ChatTokens& t = encoded[i];
    if (t.ids.size() > limit) {
      if (config.too_long == TooLongPolicy::drop) {
        ++stats.dropped_too_long;
        continue;
      }
      t.ids.resize(limit);
      t.loss_mask.resize(limit);
      ++stats.truncated;
      // a truncated example whose kept part has no response token teaches nothing
      if (std::find(t.loss_mask.begin() + 1, t.loss_mask.end(), 1) == t.loss_mask.end()) {
        ++stats.dropped_too_long;
        continue;
      }
    }
    PackedExample e;
    e.ids.assign(t.ids.begin(), t.ids.end());
    e.targets.assign(e.ids.size(), -1);
    for (size_t k = 0; k + 1 < e.ids.size(); ++k)
      if (t.loss_mask[k + 1]) {
        e.targets[k] = e.ids[k + 1];
        ++stats.target_tokens;
      }
    stats.tokens += e.ids.size();
    out.push_back(std::move(e));
  }
  stats.examples = out.size();
  if (out.empty()) fail_hint("check data.train and the records' format", "SFT: no usable examples in {}", join(config.train, ", "));
  return out;
}

PackedDataset::PackedDataset(std::vector<PackedExample> examples, int seq_len, bool document_masked, int32_t pad_id,
                             uint64_t seed)
    : examples_(std::move(examples)), seq_len_(seq_len), document_masked_(document_masked), pad_id_(pad_id), seed_(seed) {
  for (const auto& e : examples_)
    DSMATH_CHECK(static_cast<int>(e.ids.size()) <= seq_len_ && e.ids.size() == e.targets.size(), "example of {} tokens",
                 e.ids.size());
  start_epoch(0);
}

std::vector<std::vector<uint32_t>> PackedDataset::pack_epoch(int64_t epoch) const {
  std::vector<uint32_t> order(examples_.size());
  std::iota(order.begin(), order.end(), 0u);
  Rng rng(mix64(seed_ ^ mix64(static_cast<uint64_t>(epoch) + 0x5f7)));
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);  // Fisher-Yates
  std::vector<std::vector<uint32_t>> rows;
  std::vector<uint32_t> current;
  size_t used = 0;
  for (uint32_t e : order) {
    const size_t len = examples_[e].ids.size();
    if (used + len > static_cast<size_t>(seq_len_)) {
      rows.push_back(std::move(current));
      current.clear();
      used = 0;
    }
    current.push_back(e);
    used += len;
  }
  if (!current.empty()) rows.push_back(std::move(current));
  return rows;
}

void PackedDataset::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  rows_ = pack_epoch(epoch);
  next_row_ = 0;
  if (epoch > 0) log::info("training data: epoch {} ({} packed rows)", epoch + 1, rows_.size());
}

void PackedDataset::write_row(const std::vector<uint32_t>& row, TokenBatch& b, int r) const {
  const int64_t base = static_cast<int64_t>(r) * seq_len_;
  int pos = 0;
  int32_t segment = 0;
  for (uint32_t e : row) {
    const PackedExample& ex = examples_[e];
    const int len = static_cast<int>(ex.ids.size());
    for (int k = 0; k < len; ++k) {
      const int64_t i = base + pos + k;
      b.tokens[static_cast<size_t>(i)] = ex.ids[static_cast<size_t>(k)];
      b.targets[static_cast<size_t>(i)] = ex.targets[static_cast<size_t>(k)];
      if (document_masked_) {
        b.positions[static_cast<size_t>(i)] = k;
        b.segments[static_cast<size_t>(i)] = segment;
      }
    }
    pos += len;
    ++segment;
  }
  for (; pos < seq_len_; ++pos) {  // padding: no targets, its own segment
    const int64_t i = base + pos;
    b.tokens[static_cast<size_t>(i)] = pad_id_;
    b.targets[static_cast<size_t>(i)] = -1;
    if (document_masked_) {
      b.positions[static_cast<size_t>(i)] = 0;
      b.segments[static_cast<size_t>(i)] = segment;
    }
  }
}

void PackedDataset::fill(TokenBatch& batch, int64_t first_sample, int rows) {
  if (first_sample < next_sample_) fail("packed data: sample {} requested after {} (samples are read in order)", first_sample, next_sample_);
  advance_to(first_sample);
  batch.resize(rows, seq_len_);
  if (document_masked_) {
    batch.positions.assign(batch.tokens.size(), 0);
    batch.segments.assign(batch.tokens.size(), 0);
  }
  for (int r = 0; r < rows; ++r) write_row(rows_[take_row()], batch, r);
}

size_t PackedDataset::take_row() {
  if (next_row_ >= static_cast<int64_t>(rows_.size())) start_epoch(epoch_ + 1);
  ++next_sample_;
  return static_cast<size_t>(next_row_++);
}

void PackedDataset::advance_to(int64_t sample) {
  while (next_sample_ < sample) take_row();
}

Json PackedDataset::state() const { return {{"next_sample", next_sample_}, {"epoch", epoch_}, {"next_row", next_row_}}; }

void PackedDataset::restore(const Json& j) {
  try {
    start_epoch(j.at("epoch").get<int64_t>());
    next_row_ = j.at("next_row").get<int64_t>();
    next_sample_ = j.at("next_sample").get<int64_t>();
  } catch (const Json::exception& e) {
    fail("trainer_state.json: malformed data cursor: {}", e.what());
  }
  if (next_row_ < 0 || next_row_ > static_cast<int64_t>(rows_.size()))
    fail_hint("resume with the data of the original run", "data cursor (row {}) is beyond this data's {} rows per epoch",
              next_row_, rows_.size());
}

std::string PackedDataset::describe() const {
  size_t tokens = 0;
  for (const auto& e : examples_) tokens += e.ids.size();
  return fmt::format("{} examples, {} tokens, {} packed rows of {} per epoch ({:.0f}% filled, {})", examples_.size(),
                     human_count(static_cast<double>(tokens)), rows_.size(), seq_len_,
                     100.0 * static_cast<double>(tokens) / static_cast<double>(std::max<size_t>(1, rows_.size() * seq_len_)),
                     document_masked_ ? "document-masked" : "concatenated");
}

}  // namespace dsmath
