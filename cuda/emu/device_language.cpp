#include <fmt/format.h>

#include "cuda/emu/device_language.hpp"

namespace dsmath::emu {

void complete_shuffle_xor(void* const* lane_args, unsigned mask) {
  for (int lane = 0; lane < 32; ++lane) {
    if ((mask & (1u << lane)) == 0) continue;
    auto* a = static_cast<ShuffleArgs*>(lane_args[lane]);
    const int width = a->width;
    if (width < 1 || width > 32 || (width & (width - 1)) != 0)
      fault(fmt::format("__shfl_xor_sync: width {} is not a power of two from 1 to 32", width));
    int src = lane ^ a->lane_mask;
    // a lane reading from a later segment of `width` lanes gets its own value
    if (src > 31 || (src / width) > (lane / width)) src = lane;
    if ((mask & (1u << src)) == 0)
      fault(fmt::format("__shfl_xor_sync: lane {} reads lane {}, which is not in the mask {:#010x}", lane, src, mask));
    a->result = static_cast<ShuffleArgs*>(lane_args[src])->value;
  }
}

}  // namespace dsmath::emu
