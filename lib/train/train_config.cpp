#include "train/train_config.hpp"

#include "core/error.hpp"

namespace dsmath {

void TrainConfig::validate() const {
  if (global_batch_size % micro_batch_size != 0)
    fail_hint("make global_batch_size a multiple of micro_batch_size (x number of ranks)",
              "global_batch_size ({}) is not a multiple of micro_batch_size ({})", global_batch_size, micro_batch_size);
}

}  // namespace dsmath
