#pragma once
// Where a token-level training loop gets its rows: global sample g of the run is a fixed row
// of tokens and targets, so every rank of a data-parallel job reads its own slice of each
// step and a resumed run continues the same sequence. Pretraining reads a token mixture
// (data/mixture.hpp), SFT packed conversations (train/sft_data.hpp), reward models labelled
// solutions.
#include <cstdint>
#include <string>

#include "core/json.hpp"
#include "data/token_batch.hpp"

namespace dsmath {

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Fills `rows` rows with samples first_sample, first_sample + 1, ... (increasing over calls).
  virtual void fill(TokenBatch& batch, int64_t first_sample, int rows) = 0;
  // Moves past samples without reading them (the other ranks' share of a step).
  virtual void advance_to(int64_t sample) = 0;
  virtual Json state() const = 0;
  virtual void restore(const Json& state) = 0;
  virtual std::string describe() const = 0;
  virtual int seq_len() const = 0;
};

}  // namespace dsmath
