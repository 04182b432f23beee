#include "data/mixture.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "core/strings.hpp"

namespace dsmath {

struct MixtureLoader::Source {
  std::string name;
  std::vector<ShardReader> shards;
  uint64_t total_tokens = 0;
  // cursor: next window starts at token `offset` of shard `shard`
  int64_t shard = 0;
  int64_t offset = 0;
  int64_t epoch = 0;
};

MixtureLoader::MixtureLoader(const TokenDataConfig& config, uint64_t seed, int model_vocab)
    : config_(config), seed_(seed) {
  double total_weight = 0;
  for (const auto& s : config.sources) total_weight += s.weight;
  double cumulative = 0;
  for (const auto& sc : config.sources) {
    auto src = std::make_unique<Source>();
    src->name = sc.name;
    for (const auto& path : expand_shard_paths(sc.paths, std::filesystem::current_path())) {
      src->shards.emplace_back(path, config.verify_checksums);
      const ShardReader& r = src->shards.back();
      if (r.vocab_bound() > static_cast<uint32_t>(model_vocab))
        fail_hint("the tokenizer that made the shards does not match the model: check model.vocab_size and the tokenizer",
                  "shard '{}' holds token ids up to {} but the model's vocabulary has {} entries (tokenizer/model mismatch)", path.string(),
                  r.vocab_bound() - 1, model_vocab);
      src->total_tokens += r.tokens().size();
    }
    if (src->total_tokens < static_cast<uint64_t>(config.seq_len) + 1)
      fail_hint("add data or lower data.seq_len", "data source '{}' has {} tokens, fewer than one sequence of {}", sc.name,
                src->total_tokens, config.seq_len + 1);
    cumulative += sc.weight / total_weight;
    cumulative_weight_.push_back(cumulative);
    sources_.push_back(std::move(src));
  }
  cumulative_weight_.back() = 1.0;
}

MixtureLoader::~MixtureLoader() = default;

uint64_t MixtureLoader::total_tokens() const {
  uint64_t n = 0;
  for (const auto& s : sources_) n += s->total_tokens;
  return n;
}

std::string MixtureLoader::describe() const {
  std::vector<std::string> parts;
  for (size_t i = 0; i < sources_.size(); ++i) {
    const double w = cumulative_weight_[i] - (i ? cumulative_weight_[i - 1] : 0.0);
    parts.push_back(fmt::format("{} ({:.1f}%, {} shards, {} tokens)", sources_[i]->name, 100 * w, sources_[i]->shards.size(),
                                human_count(static_cast<double>(sources_[i]->total_tokens))));
  }
  return join(parts, ", ");
}

int MixtureLoader::pick_source(int64_t sample) const {
  if (sources_.size() == 1) return 0;
  const double u = static_cast<double>(mix64(seed_ ^ mix64(static_cast<uint64_t>(sample))) >> 11) * 0x1.0p-53;
  for (size_t i = 0; i < cumulative_weight_.size(); ++i)
    if (u < cumulative_weight_[i]) return static_cast<int>(i);
  return static_cast<int>(sources_.size()) - 1;
}

int MixtureLoader::settle_cursor(Source& s, int64_t& shard, int64_t& offset) {
  int crossed = 0;
  while (offset >= static_cast<int64_t>(s.shards[static_cast<size_t>(shard)].tokens().size())) {
    shard = (shard + 1) % static_cast<int64_t>(s.shards.size());
    offset = 0;
    ++crossed;
    if (shard == 0) {
      ++s.epoch;
      log::info("data source '{}' starts epoch {}", s.name, s.epoch + 1);
    }
  }
  return crossed;
}

void MixtureLoader::take_window(int source, TokenBatch& batch, int row) {
  Source& s = *sources_[static_cast<size_t>(source)];
  const int T = config_.seq_len;
  // Walk T + 1 tokens from the cursor, crossing shard ends (each shard starts a document);
  // passing the end of the last shard starts the source's next epoch. The cursor moves T
  // tokens on: to the window's last token, the next window's first.
  int64_t shard = s.shard, offset = s.offset;
  if (row < 0) {
    // skipping (advance_to): only the cursor moves, a shard's remainder at a time
    settle_cursor(s, shard, offset);
    for (int64_t left = T; left > 0;) {
      const int64_t size = static_cast<int64_t>(s.shards[static_cast<size_t>(shard)].tokens().size());
      const int64_t take = std::min(left, size - offset);
      offset += take;
      left -= take;
      settle_cursor(s, shard, offset);
    }
    s.offset = offset;
    s.shard = shard;
    return;
  }
  int32_t* tokens = batch.tokens.data() + static_cast<int64_t>(row) * T;
  int32_t* targets = batch.targets.data() + static_cast<int64_t>(row) * T;
  int32_t* positions = config_.document_masking ? batch.positions.data() + static_cast<int64_t>(row) * T : nullptr;
  int32_t* segments = config_.document_masking ? batch.segments.data() + static_cast<int64_t>(row) * T : nullptr;
  int32_t segment = 0, position = 0;
  for (int i = 0; i <= T; ++i) {
    const int crossed = settle_cursor(s, shard, offset);
    if (i > 0 && crossed > 0) {
      segment += crossed;
      position = 0;
    }
    const ShardReader& r = s.shards[static_cast<size_t>(shard)];
    // document starts inside a shard matter only for document masking
    if (config_.document_masking && i > 0 && offset > 0) {
      const auto docs = r.doc_starts();
      if (std::binary_search(docs.begin(), docs.end(), static_cast<uint64_t>(offset))) {
        ++segment;
        position = 0;
      }
    }
    const auto tok = static_cast<int32_t>(r.tokens()[static_cast<size_t>(offset)]);
    const bool counts = r.mask().empty() || r.mask()[static_cast<size_t>(offset)] != 0;
    if (i < T) tokens[i] = tok;
    if (i > 0) {
      // The target of input i-1 is this token; with document masking it must lie in the
      // same document (predicting the first token of the next document from the previous
      // one's end is meaningless there).
      const bool same_doc = !config_.document_masking || position > 0;
      targets[i - 1] = counts && same_doc ? tok : -1;
    }
    if (positions != nullptr && i < T) {
      positions[i] = position;
      segments[i] = segment;
    }
    ++position;
    if (i < T) ++offset;  // the window's last token is the next window's first
  }
  s.offset = offset;
  s.shard = shard;
}

void MixtureLoader::fill(TokenBatch& batch, int64_t first_sample, int rows) {
  if (first_sample < next_sample_)
    fail("data loader: sample {} requested after {} (samples are read in order)", first_sample, next_sample_);
  advance_to(first_sample);
  batch.resize(rows, config_.seq_len);
  if (config_.document_masking) {
    batch.positions.assign(batch.tokens.size(), 0);
    batch.segments.assign(batch.tokens.size(), 0);
  }
  for (int r = 0; r < rows; ++r) take_window(pick_source(next_sample_++), batch, r);
}

void MixtureLoader::advance_to(int64_t sample) {
  TokenBatch unused;
  while (next_sample_ < sample) take_window(pick_source(next_sample_++), unused, -1);
}

Json MixtureLoader::state() const {
  Json j;
  j["next_sample"] = next_sample_;
  Json cursors = Json::array();
  for (const auto& s : sources_) cursors.push_back({{"name", s->name}, {"shard", s->shard}, {"offset", s->offset}, {"epoch", s->epoch}});
  j["sources"] = cursors;
  return j;
}

void MixtureLoader::restore(const Json& j) {
  try {
    next_sample_ = j.at("next_sample").get<int64_t>();
    const Json& cursors = j.at("sources");
    if (cursors.size() != sources_.size())
      fail_hint("resume with the data sources of the original run", "checkpoint has {} data sources, the config has {}",
                cursors.size(), sources_.size());
    for (size_t i = 0; i < sources_.size(); ++i) {
      Source& s = *sources_[i];
      const Json& c = cursors[i];
      if (c.at("name").get<std::string>() != s.name)
        fail_hint("keep data.sources in the same order as the original run", "checkpoint data source #{} is '{}', the config has '{}'",
                  i, c.at("name").get<std::string>(), s.name);
      s.shard = c.at("shard").get<int64_t>();
      s.offset = c.at("offset").get<int64_t>();
      s.epoch = c.at("epoch").get<int64_t>();
      if (s.shard < 0 || s.shard >= static_cast<int64_t>(s.shards.size()) || s.offset < 0 ||
          s.offset >= static_cast<int64_t>(s.shards[static_cast<size_t>(s.shard)].tokens().size()))
        fail_hint("the shards changed since the checkpoint was written", "data source '{}': saved cursor (shard {}, offset {}) is out of range",
                  s.name, s.shard, s.offset);
    }
  } catch (const Json::exception& e) {
    fail("trainer_state.json: malformed data cursor: {}", e.what());
  }
}

}  // namespace dsmath
