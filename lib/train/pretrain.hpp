#pragma once
// The `dsmath pretrain` driver: a token mixture -> cross-entropy training -> checkpoints.
#include "train/lm_training.hpp"
#include "train/pretrain_config.hpp"

namespace dsmath {

TrainingSummary run_pretrain(const PretrainConfig& config, const RunOptions& run);

}  // namespace dsmath
