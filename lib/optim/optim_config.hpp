#pragma once
// Optimizer and learning-rate schedule settings. Paper defaults (DESIGN.md section 2):
// AdamW beta 0.9/0.95, weight decay 0.1; pretraining: 2000 warmup steps, then the multi-step
// schedule (x0.316 after 80% of training, x0.1 after 90%), peak 4.2e-4 (7B) / 5.3e-4 (1.3B);
// SFT: constant 5e-5; GRPO: constant 1e-6.
#include <string>
#include <vector>

#include "config/schema.hpp"

namespace dsmath {

enum class LrSchedule { constant, cosine, multistep };

struct OptimConfig {
  double lr_peak = 3e-4;
  LrSchedule schedule = LrSchedule::constant;
  int64_t warmup_steps = 0;
  double lr_min_ratio = 0.1;  // cosine: final LR as a fraction of the peak
  // multistep: at fraction milestones[i] of the steps, the LR becomes peak * factors[i]
  std::vector<double> milestones{0.8, 0.9};
  std::vector<double> factors{0.316, 0.1};
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double weight_decay = 0.1;  // not applied to norm weights
  double grad_clip = 1.0;     // max global gradient norm; 0 disables clipping
  // AdamW moments: f32, or bf16 (CUDA backend only) to save 4 bytes per parameter; docs/cuda.md
  std::string state_dtype = "f32";

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("lr_peak", lr_peak, "peak learning rate", Check().greater_than(0));
    v("schedule", schedule, "learning-rate schedule after warmup");
    v("warmup_steps", warmup_steps, "linear warmup from 0 to lr_peak", Check().at_least(0));
    v("lr_min_ratio", lr_min_ratio, "cosine: final LR / peak", Check().in_range(0, 1));
    v("milestones", milestones, "multistep: fractions of max_steps where the LR drops");
    v("factors", factors, "multistep: LR multipliers from each milestone on");
    v("beta1", beta1, "AdamW beta1", Check().in_range(0, 0.999999));
    v("beta2", beta2, "AdamW beta2", Check().in_range(0, 0.999999));
    v("eps", eps, "AdamW epsilon", Check().greater_than(0));
    v("weight_decay", weight_decay, "decoupled weight decay (norm weights excluded)", Check().at_least(0));
    v("grad_clip", grad_clip, "clip the global gradient norm to this (0: off)", Check().at_least(0));
    v("state_dtype", state_dtype, "AdamW moment precision: f32, or bf16 with stochastic rounding (CUDA; 4 bytes/param less)",
      Check().one_of({"f32", "bf16"}));
  }
  void validate() const;
};

// LR for 1-based `step` of `total_steps`.
double learning_rate(const OptimConfig& c, int64_t step, int64_t total_steps);

}  // namespace dsmath

template <>
struct dsmath::config::EnumNames<dsmath::LrSchedule> {
  static constexpr std::array<std::pair<dsmath::LrSchedule, std::string_view>, 3> values{
      {{dsmath::LrSchedule::constant, "constant"},
       {dsmath::LrSchedule::cosine, "cosine"},
       {dsmath::LrSchedule::multistep, "multistep"}}};
};
