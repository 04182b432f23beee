#include <cmath>

#include "core/error.hpp"
#include "optim/optim_config.hpp"

namespace dsmath {

void OptimConfig::validate() const {
  if (milestones.size() != factors.size())
    fail_hint("give one factor per milestone", "milestones ({}) and factors ({}) differ in length", milestones.size(),
              factors.size());
  for (size_t i = 0; i < milestones.size(); ++i) {
    if (milestones[i] <= 0 || milestones[i] >= 1) fail("milestones[{}] = {} must be a fraction in (0, 1)", i, milestones[i]);
    if (i > 0 && milestones[i] <= milestones[i - 1]) fail("milestones must increase ({} after {})", milestones[i], milestones[i - 1]);
    if (factors[i] <= 0) fail("factors[{}] = {} must be > 0", i, factors[i]);
  }
}

double learning_rate(const OptimConfig& c, int64_t step, int64_t total_steps) {
  if (c.warmup_steps > 0 && step <= c.warmup_steps)
    return c.lr_peak * static_cast<double>(step) / static_cast<double>(c.warmup_steps);
  switch (c.schedule) {
    case LrSchedule::constant:
      return c.lr_peak;
    case LrSchedule::cosine: {
      const double span = static_cast<double>(std::max<int64_t>(1, total_steps - c.warmup_steps));
      const double progress = std::min(1.0, static_cast<double>(step - c.warmup_steps) / span);
      const double min_lr = c.lr_peak * c.lr_min_ratio;
      return min_lr + 0.5 * (c.lr_peak - min_lr) * (1.0 + std::cos(M_PI * progress));
    }
    case LrSchedule::multistep: {
      // DeepSeekMath 2.2.1 / DeepSeek LLM: the LR drops to 31.6% of the peak after 80% of the
      // training tokens and to 10% after 90%.
      double lr = c.lr_peak;
      for (size_t i = 0; i < c.milestones.size(); ++i)
        if (static_cast<double>(step) > c.milestones[i] * static_cast<double>(total_steps)) lr = c.lr_peak * c.factors[i];
      return lr;
    }
  }
  return c.lr_peak;
}

}  // namespace dsmath
