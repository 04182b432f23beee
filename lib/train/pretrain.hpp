#pragma once
// The `dsmath pretrain` driver: token mixture -> cross-entropy training -> checkpoints.
#include <filesystem>
#include <string>

#include "train/pretrain_config.hpp"

namespace dsmath {

struct RunOptions {
  std::filesystem::path run_dir;
  bool resume = false;  // continue from the run directory's latest checkpoint (fresh start if none)
};

struct PretrainSummary {
  int64_t steps = 0;
  double first_loss = 0, last_loss = 0;
  double tokens_per_s = 0;
  std::filesystem::path checkpoint;
};

PretrainSummary run_pretrain(const PretrainConfig& config, const RunOptions& run);

}  // namespace dsmath
