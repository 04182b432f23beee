#include "train/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"

namespace dsmath {

float clip_factor(double grad_norm, double grad_clip) {
  if (grad_clip > 0 && grad_norm > grad_clip) return static_cast<float>(grad_clip / (grad_norm + 1e-6));
  return 1.0f;
}

Trainer::Trainer(Transformer& model, Communicator& comm, const OptimConfig& optim, const TrainConfig& train,
                 const DistConfig& dist, int64_t total_steps)
    : model_(model), comm_(comm), optim_(optim), train_(train), total_steps_(total_steps) {
  const int64_t total = model.layout().total();
  sharded_ = dist.zero1 && comm.world_size() > 1;
  overlap_ = dist.overlap_grad_reduce && comm.world_size() > 1;
  shards_ = equal_shards(total, sharded_ ? comm.world_size() : 1);
  bucket_owner_ranges_.resize(static_cast<size_t>(shards_.parts) + 1);
  if (sharded_) {
    if (shards_.end(comm.world_size() - 1) <= shards_.begin(comm.world_size() - 1))
      fail_hint("set dist.zero1=false: the optimizer state of so small a model needs no sharding",
                "ZeRO-1: the model's {} parameter slots in shards of {} leave rank {} without a shard", total, shards_.size,
                comm.world_size() - 1);
    model.reserve_flat(shards_.padded_total());  // the collectives move whole shards
  }
  const int r = sharded_ ? comm.rank() : 0;
  optimizer_ = std::make_unique<AdamW>(model.backend(), model.layout(), optim, shards_.begin(r), shards_.end(r),
                                       model.backend().compute_dtype());
}

std::string Trainer::reduction_description() const {
  if (comm_.world_size() == 1) return "gradients: one rank, no reduction";
  const char* how = sharded_ ? "reduced to their ZeRO-1 shard owners" : "all-reduced";
  const char* when = overlap_ ? "layer by layer, overlapped with the last micro-batch's backward" : "after backward";
  return fmt::format("gradients: {} {}{}", how, when, sharded_ ? "; weights all-gathered after the update" : "");
}

void Trainer::begin_step() {
  model_.zero_grads();
  loss_local_ = 0;
  reduction_started_ = false;
}

void Trainer::accumulate(const TokenBatch& batch, const Objective& objective, bool want_entropy, bool last) {
  DSMATH_CHECK(!reduction_started_, "accumulate after the step's last micro-batch");
  model_.forward(batch, true, want_entropy);
  dlogp_.assign(static_cast<size_t>(batch.size()), 0.0f);
  loss_local_ += objective(batch, model_.logprobs(), dlogp_);
  if (overlap_ && last) {
    reduction_started_ = true;
    model_.backward(dlogp_, [&](int64_t b, int64_t e) {
      if (!sharded_) return comm_.allreduce_sum_async(model_.grads().offset(b), e - b);
      // the bucket's part of each owner's shard goes to that owner
      for (size_t r = 0; r < bucket_owner_ranges_.size(); ++r)  // begin(parts) is the end
        bucket_owner_ranges_[r] = std::clamp(shards_.begin(static_cast<int>(r)), b, e);
      comm_.reduce_to_owners_async(model_.grads(), bucket_owner_ranges_);
    });
  } else {
    model_.backward(dlogp_);
  }
}

void Trainer::reduce_gradients() {
  if (reduction_started_) return comm_.wait_all();  // started layer by layer during the last backward
  if (sharded_)
    comm_.reduce_scatter_sum(model_.grads(), shards_.size);
  else
    comm_.allreduce_sum(model_.grads(), model_.layout().total());
}

StepStats Trainer::finish_step() {
  StepStats s;
  s.step = ++step_;
  Backend& backend = model_.backend();
  const int64_t n = model_.layout().total();
  double sums[2] = {loss_local_, 0.0};
  reduce_gradients();
  if (sharded_) {
    // each rank updates only its shard; the squared norm is summed over shards
    const int64_t b = optimizer_->begin(), e = optimizer_->end();
    sums[1] = backend.sum_squares(model_.grads().offset(b), e - b);
    comm_.allreduce_sum(std::span<double>(sums, 2));
  } else {
    // identical on every rank after the all-reduce; only the loss needs summing
    sums[1] = backend.sum_squares(model_.grads(), n);
    comm_.allreduce_sum(std::span<double>(sums, 1));
  }
  s.loss = sums[0];
  s.grad_norm = std::sqrt(sums[1]);
  s.lr = learning_rate(optim_, s.step, total_steps_);

  if (!std::isfinite(s.loss) || !std::isfinite(s.grad_norm)) {
    if (train_.nan_policy == NanPolicy::stop)
      fail_hint("lower optim.lr_peak, raise optim.warmup_steps, check the data, or set train.nan_policy=skip",
                "step {}: non-finite {} (loss {}, gradient norm {}); stopping before the weights are touched, "
                "so the last checkpoint is clean",
                s.step, std::isfinite(s.loss) ? "gradient" : "loss", s.loss, s.grad_norm);
    ++consecutive_skips_;
    ++total_skips_;
    s.skipped = true;
    log::warn("step {}: non-finite loss/gradient (loss {}, grad norm {}); step skipped ({} in a row)", s.step, s.loss,
              s.grad_norm, consecutive_skips_);
    if (consecutive_skips_ >= train_.max_consecutive_skips)
      fail_hint("the run diverged: lower the learning rate or inspect the data around this step",
                "step {}: {} consecutive non-finite steps (train.max_consecutive_skips)", s.step, consecutive_skips_);
    return s;
  }
  consecutive_skips_ = 0;
  optimizer_->step(model_.params(), model_.grads(), static_cast<float>(s.lr),
                   clip_factor(s.grad_norm, optim_.grad_clip));
  if (sharded_) comm_.all_gather(model_.params(), shards_.size);
  return s;
}

Json Trainer::state() const {
  return Json{{"step", step_},
              {"optimizer_steps", optimizer_->steps_taken()},
              {"consecutive_skips", consecutive_skips_},
              {"total_skips", total_skips_}};
}

void Trainer::restore(const Json& j) {
  try {
    step_ = j.at("step").get<int64_t>();
    optimizer_->set_steps_taken(j.at("optimizer_steps").get<int64_t>());
    consecutive_skips_ = j.at("consecutive_skips").get<int>();
    total_skips_ = j.at("total_skips").get<int64_t>();
  } catch (const Json::exception& e) {
    fail("trainer_state.json: malformed trainer section: {}", e.what());
  }
}

}  // namespace dsmath
