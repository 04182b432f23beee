#pragma once
// Examples -> packed training rows, for SFT and reward models. An example is a token sequence
// with a target per position (-1: none). Examples are shuffled per epoch and packed whole,
// first come first placed, into rows of seq_len tokens (the rest of a row is padding without
// targets); with document masking, attention and positions stay inside each example.
//
// SFT: each conversation is rendered with the chat format and tokenized with a loss mask over
// the assistant responses; the target of position k is token k+1 where that token is a response
// token, so a prompt never contributes to the loss. Reward models put a 0/1 label at the
// positions they score (train/reward_data.hpp).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/batch_source.hpp"
#include "tokenizer/tokenizer.hpp"
#include "train/sft_config.hpp"

namespace dsmath {

struct PackedExample {
  std::vector<int32_t> ids;
  std::vector<int32_t> targets;  // per position: next-token id (SFT) or 0/1 label (reward models); -1 none
};

struct SftLoadStats {
  size_t examples = 0, truncated = 0, dropped_too_long = 0, skipped_invalid = 0;
  size_t tokens = 0, target_tokens = 0;
};

// Reads and tokenizes the JSONL files. Malformed records (bad JSON, unknown roles, no or empty
// assistant response) are errors naming file:line, or skipped and counted with skip_invalid.
std::vector<PackedExample> load_sft_examples(const SftDataConfig& config, const Tokenizer& tokenizer, SftLoadStats& stats);

// A malformed training record (SFT or reward data) at `where` (file:line): an error, or with
// data.skip_invalid a warning and one more in `skipped`.
void reject_record(const std::string& where, const std::string& problem, bool skip_invalid, size_t& skipped);

class PackedDataset final : public BatchSource {
 public:
  PackedDataset(std::vector<PackedExample> examples, int seq_len, bool document_masked, int32_t pad_id, uint64_t seed);

  void fill(TokenBatch& batch, int64_t first_sample, int rows) override;
  void advance_to(int64_t sample) override;
  Json state() const override;
  void restore(const Json& state) override;
  std::string describe() const override;
  int seq_len() const override { return seq_len_; }

  // Row packing of one epoch (lists of example indices per row); exposed for tests.
  std::vector<std::vector<uint32_t>> pack_epoch(int64_t epoch) const;
  size_t rows_per_epoch() const { return rows_.size(); }

 private:
  void start_epoch(int64_t epoch);
  // Moves the cursor one sample on (into the next epoch when this one is used up); returns the
  // sample's row in rows_.
  size_t take_row();
  void write_row(const std::vector<uint32_t>& row, TokenBatch& batch, int r) const;
  std::vector<PackedExample> examples_;
  int seq_len_;
  bool document_masked_;
  int32_t pad_id_;
  uint64_t seed_;
  int64_t epoch_ = -1;
  std::vector<std::vector<uint32_t>> rows_;  // the current epoch's packing
  int64_t next_row_ = 0;                     // in the current epoch
  int64_t next_sample_ = 0;
};

}  // namespace dsmath
