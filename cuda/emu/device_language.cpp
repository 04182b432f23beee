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

namespace nvcuda::wmma::detail {

void check_memory_args(void* const* lane_args, unsigned mask) {
  const auto* first = static_cast<const MemoryArgs*>(lane_args[0]);
  for (int lane = 1; lane < 32; ++lane) {
    const auto* a = static_cast<const MemoryArgs*>(lane_args[lane]);
    if (a->ptr != first->ptr || a->ldm != first->ldm || a->layout != first->layout)
      ::dsmath::emu::fault(fmt::format("wmma load/store: lane {} passes pointer {} ldm {} where lane 0 passes {} ldm {}; "
                                       "every lane must pass the same",
                                       lane, a->ptr, a->ldm, first->ptr, first->ldm));
  }
  if (reinterpret_cast<uintptr_t>(first->ptr) % 32 != 0)
    ::dsmath::emu::fault(fmt::format("wmma load/store: pointer {} is not 256-bit (32-byte) aligned", first->ptr));
  if ((uint64_t{first->ldm} * first->element_bytes) % 16 != 0)
    ::dsmath::emu::fault(fmt::format("wmma load/store: ldm {} ({}-byte elements) is not a multiple of 16 bytes", first->ldm,
                                     first->element_bytes));
  (void)mask;
}

void complete_mma(void* const* lane_args, unsigned mask) {
  (void)mask;
  float a[256], b[256], acc[256];
  for (int lane = 0; lane < 32; ++lane) {
    const auto* m = static_cast<const MmaArgs*>(lane_args[lane]);
    for (int i = 0; i < 8; ++i) {
      const int e = tile_index(lane, i);
      if (m->ab_type == 0) {
        a[e] = widen(static_cast<const __nv_bfloat16*>(m->a)[i]);
        b[e] = widen(static_cast<const __nv_bfloat16*>(m->b)[i]);
      } else {
        a[e] = widen(static_cast<const __half*>(m->a)[i]);
        b[e] = widen(static_cast<const __half*>(m->b)[i]);
      }
      acc[e] = m->c[i];
    }
  }
  float d[256];
  for (int r = 0; r < 16; ++r)
    for (int col = 0; col < 16; ++col) {
      float s = acc[r * 16 + col];
      for (int k = 0; k < 16; ++k) s = fmaf(a[r * 16 + k], b[k * 16 + col], s);
      d[r * 16 + col] = s;
    }
  for (int lane = 0; lane < 32; ++lane) {
    auto* m = static_cast<const MmaArgs*>(lane_args[lane]);
    for (int i = 0; i < 8; ++i) m->d[i] = d[tile_index(lane, i)];
  }
}

}  // namespace nvcuda::wmma::detail
