#pragma once
// The optimizer-step machinery every training stage shares: gradient accumulation over
// micro-batches, the cross-rank reduction, global-norm clipping, the non-finite check, and the
// AdamW update on the LR schedule. A stage supplies batches and an objective; the objective
// maps per-token log-probs to a loss and d loss / d logp (pretraining and SFT: masked
// cross-entropy; GRPO: the clipped surrogate with KL).
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "core/json.hpp"
#include "dist/communicator.hpp"
#include "dist/dist_config.hpp"
#include "model/transformer.hpp"
#include "optim/adamw.hpp"
#include "train/train_config.hpp"

namespace dsmath {

struct StepStats {
  int64_t step = 0;       // 1-based index of the step just finished
  double loss = 0;        // summed over ranks (objectives normalize globally)
  double grad_norm = 0;   // before clipping
  double lr = 0;
  bool skipped = false;   // non-finite step skipped under nan_policy skip
};

// What global-norm clipping multiplies the gradients by: grad_clip / (grad_norm + 1e-6) when
// the norm exceeds grad_clip (torch.nn.utils.clip_grad_norm_'s formula), else 1; grad_clip 0
// turns clipping off.
float clip_factor(double grad_norm, double grad_clip);

// Returns this micro-batch's loss contribution and writes d loss / d logp into dlogp.
using Objective = std::function<double(const TokenBatch& batch, std::span<const float> logp, std::span<float> dlogp)>;

class Trainer {
 public:
  // With dist.zero1 and several ranks, this rank's AdamW state covers only its shard of the
  // flat parameter buffer (ZeRO stage 1, Rajbhandari et al. 2020).
  Trainer(Transformer& model, Communicator& comm, const OptimConfig& optim, const TrainConfig& train,
          const DistConfig& dist, int64_t total_steps);

  void begin_step();
  // Forward, objective, backward for one micro-batch (want_entropy: the objective may read
  // model().entropy()). For the step's last micro-batch (`last`), the gradients of each layer
  // start their cross-rank reduction as soon as backward has finished them
  // (dist.overlap_grad_reduce; several ranks, no ZeRO-1).
  void accumulate(const TokenBatch& batch, const Objective& objective, bool want_entropy = false, bool last = false);
  // Reduces across ranks, clips, checks for NaN/Inf and updates the weights.
  StepStats finish_step();

  int64_t step() const { return step_; }
  // How gradients cross ranks, for the run's start-up log.
  std::string reduction_description() const;
  AdamW& optimizer() { return *optimizer_; }
  const AdamW& optimizer() const { return *optimizer_; }
  Transformer& model() { return model_; }

  Json state() const;
  void restore(const Json& state);

 private:
  // Completes this step's sum of gradients over ranks (ZeRO-1: into each shard's owner).
  void reduce_gradients();

  Transformer& model_;
  Communicator& comm_;
  OptimConfig optim_;
  TrainConfig train_;
  int64_t total_steps_;
  bool sharded_ = false;
  bool overlap_ = false;          // dist.overlap_grad_reduce applies
  bool reduction_started_ = false;  // this step's gradients are being reduced already
  EqualShards shards_;  // ZeRO-1's partition (one shard when not sharded)
  std::vector<int64_t> bucket_owner_ranges_;  // reused: a backward bucket clipped to each owner's shard
  std::unique_ptr<AdamW> optimizer_;
  int64_t step_ = 0;
  double loss_local_ = 0;
  int consecutive_skips_ = 0;
  int64_t total_skips_ = 0;
  std::vector<float> dlogp_;
};

}  // namespace dsmath
