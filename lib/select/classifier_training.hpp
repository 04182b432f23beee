#pragma once
// `dsmath data train-classifier` (paper section 2.1): a uniform sample of seed pages as
// positives and of random pages as negatives, normalized, shuffled, a held-out part set
// aside, fastText trained on the rest and judged on the held-out part.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "select/data_config.hpp"
#include "select/page_source.hpp"

namespace dsmath::select {

struct BinaryCounts {
  uint64_t true_positives = 0, false_positives = 0, true_negatives = 0, false_negatives = 0;
  double precision() const;
  double recall() const;
  double accuracy() const;
};

struct ClassifierTrainingReport {
  uint64_t positives_read = 0, negatives_read = 0;  // pages in the inputs (well-formed)
  uint64_t positives_used = 0, negatives_used = 0;  // after sampling
  uint64_t malformed = 0;
  uint64_t train_examples = 0, heldout_examples = 0;
  BinaryCounts heldout;  // at config.classifier.threshold
  int64_t vocabulary = 0;
  double seconds = 0;
};

ClassifierTrainingReport train_math_classifier(const std::vector<std::filesystem::path>& positives,
                                               const std::vector<std::filesystem::path>& negatives,
                                               const std::filesystem::path& model_path, const DataConfig& config,
                                               InputFormat format = InputFormat::automatic);

}  // namespace dsmath::select
