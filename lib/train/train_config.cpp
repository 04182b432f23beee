#include "train/train_config.hpp"

#include "core/error.hpp"

namespace dsmath {

// The batch geometry (global = micro x ranks x accumulation) is checked where the number of
// ranks is known: the token-level training driver. GRPO sizes its batches by rollout instead.
void TrainConfig::validate() const {}

}  // namespace dsmath
