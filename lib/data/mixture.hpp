#pragma once
// The pretraining data stream: a weighted mixture of token sources (DeepSeekMath 2.2.1: 56%
// math corpus, 4% AlgebraicStack, 10% arXiv, 20% GitHub code, 10% Common Crawl text), each a
// list of shards read sequentially as one stream of windows of seq_len + 1 tokens (inputs and
// their next-token targets; consecutive windows share one token so every token is a target once).
//
// Determinism: sample g of the run draws its source from a hash of (seed, g), so the sequence
// of samples depends only on the seed and the per-source cursors, which are saved in
// checkpoints. Data parallel ranks walk the same global sample sequence and each fills only
// its own rows, so any world size sees the same data per optimizer step.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "core/json.hpp"
#include "data/batch_source.hpp"
#include "data/token_shard.hpp"
#include "data/token_batch.hpp"

namespace dsmath {

struct DataSourceConfig {
  std::string name;
  std::vector<std::string> paths;  // shard files, directories of .bin shards, or globs
  double weight = 1.0;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("name", name, "label for logs and metrics", Check().required().nonempty());
    v("paths", paths, "shard files, directories or globs (relative to the working directory)", Check().required().nonempty());
    v("weight", weight, "sampling weight (normalized over sources)", Check().greater_than(0));
  }
};

struct TokenDataConfig {
  std::vector<DataSourceConfig> sources;
  int seq_len = 256;
  // Reset positions and block attention at document starts (packing without cross-document
  // attention). Off by default, as in the paper's pretraining.
  bool document_masking = false;
  bool verify_checksums = true;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("sources", sources, "weighted token sources", Check().required().nonempty());
    v("seq_len", seq_len, "tokens per training sequence", Check().at_least(2));
    v("document_masking", document_masking, "keep attention and positions inside each document");
    v("verify_checksums", verify_checksums, "hash every shard's payload when opening it");
  }
};

class MixtureLoader final : public BatchSource {
 public:
  // model_vocab: shards holding ids >= this are rejected (tokenizer/model mismatch).
  MixtureLoader(const TokenDataConfig& config, uint64_t seed, int model_vocab);
  ~MixtureLoader() override;

  // Fills a [rows x seq_len] batch with global samples first, first + 1, ...
  void fill(TokenBatch& batch, int64_t first_sample, int rows) override;
  // Walks to `sample` without reading the rows on the way (advances the cursors).
  void advance_to(int64_t sample) override;
  int64_t next_sample() const { return next_sample_; }

  Json state() const override;
  void restore(const Json& state) override;
  std::string describe() const override;  // sources, shard and token counts
  int seq_len() const override { return config_.seq_len; }
  uint64_t total_tokens() const;

 private:
  struct Source;
  int pick_source(int64_t sample) const;
  // Fills row `row` of the batch from the source's cursor and moves the cursor on; row < 0
  // only moves the cursor.
  void take_window(int source, TokenBatch& batch, int row);
  // Moves (shard, offset) off the end of exhausted shards (counting epochs); returns how many
  // shard boundaries it crossed.
  static int settle_cursor(Source& s, int64_t& shard, int64_t& offset);
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<double> cumulative_weight_;
  TokenDataConfig config_;
  uint64_t seed_;
  int64_t next_sample_ = 0;
};

}  // namespace dsmath
