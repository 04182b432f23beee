#pragma once
// The `dsmath dpo` driver: pairs from the initial (SFT) model's own samples, then DPO steps
// against that model as reference, with metrics, checkpoints and exact resume.
#include "rl/dpo_config.hpp"
#include "train/lm_training.hpp"

namespace dsmath::rl {

struct DpoSummary {
  int64_t start_step = 0, steps = 0;
  bool stopped_early = false;
  size_t pairs = 0;
  double first_loss = 0, last_loss = 0;
  std::filesystem::path checkpoint;
};

DpoSummary run_dpo(const DpoConfig& config, const RunOptions& run);

}  // namespace dsmath::rl
