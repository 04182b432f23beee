#pragma once
// The `dsmath sft` driver: conversations -> packed rows with response-only loss -> checkpoints.
#include "train/lm_training.hpp"
#include "train/sft_config.hpp"

namespace dsmath {

TrainingSummary run_sft(const SftConfig& config, const RunOptions& run);

}  // namespace dsmath
