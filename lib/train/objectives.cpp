#include "train/objectives.hpp"

namespace dsmath {

Objective cross_entropy_objective(double global_targets) {
  return [global_targets](const TokenBatch& b, std::span<const float> logp, std::span<float> dlogp) {
    double loss = 0;
    const float g = static_cast<float>(-1.0 / global_targets);
    for (size_t i = 0; i < logp.size(); ++i) {
      if (b.targets[i] < 0) continue;
      loss -= logp[i];
      dlogp[i] = g;
    }
    return loss / global_targets;
  };
}

}  // namespace dsmath
