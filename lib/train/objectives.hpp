#pragma once
// Host-side objectives over per-position model outputs (see train/trainer.hpp: an objective
// returns its loss contribution and writes d loss / d output).
#include "train/trainer.hpp"

namespace dsmath {

// Mean next-token cross-entropy over the global batch: every target counts 1 / total, whichever
// micro-batch and rank it lands on, so accumulation and data parallelism give exactly the mean.
// Positions with target < 0 (prompts in SFT, document ends) contribute nothing.
Objective cross_entropy_objective(double global_targets);

}  // namespace dsmath
