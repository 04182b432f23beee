#pragma once
// `dsmath data score` and `dsmath data select` (paper section 2.1): every page gets the math
// classifier's score; the highest-scoring pages are kept up to a token or page budget, or
// every page above a threshold.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "select/data_config.hpp"
#include "select/page_source.hpp"

namespace dsmath::select {

struct ScoreReport {
  uint64_t pages = 0;  // scored (well-formed) pages
  uint64_t malformed = 0;
  uint64_t bytes = 0;
  uint64_t at_least_half = 0;  // pages with score >= 0.5
  double mean_score = 0;
  double seconds = 0;
};

ScoreReport score_pages(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& model,
                        const std::filesystem::path& output, const DataConfig& config,
                        InputFormat format = InputFormat::automatic);

struct SelectReport {
  uint64_t pages_in = 0;
  uint64_t malformed = 0;  // includes pages without a score
  uint64_t pages_out = 0;
  double tokens_in = 0;    // token counts: the record's token field or the byte estimate
  double tokens_out = 0;
  std::optional<double> lowest_kept_score;
  double seconds = 0;
};

// Tokens of a page for the budget: config.select.token_field when the record has it, else
// UTF-8 bytes of the text / bytes_per_token.
double page_tokens(double text_bytes, std::optional<double> token_field, const SelectionConfig& config);

SelectReport select_pages(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output,
                          const DataConfig& config, InputFormat format = InputFormat::automatic);

}  // namespace dsmath::select
