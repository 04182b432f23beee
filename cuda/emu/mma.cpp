#include "cuda/emu/mma.hpp"

#include <cuda_bf16.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "cuda/emu/thread_block.hpp"

namespace dsmath::emu {

namespace {
constexpr unsigned kFullWarp = 0xffffffffu;

struct LdmatrixArgs {
  uint32_t* out;
  int count;
  bool trans;
  const void* row_address;
};

uint16_t element_at(const void* row, int column) {
  uint16_t v;
  std::memcpy(&v, static_cast<const unsigned char*>(row) + 2 * column, 2);
  return v;
}
uint32_t pack(uint16_t lo, uint16_t hi) { return uint32_t{lo} | (uint32_t{hi} << 16); }

void complete_ldmatrix(void* const* lane_args, unsigned mask) {
  (void)mask;
  const auto* first = static_cast<const LdmatrixArgs*>(lane_args[0]);
  for (int lane = 1; lane < 32; ++lane) {
    const auto* a = static_cast<const LdmatrixArgs*>(lane_args[lane]);
    if (a->count != first->count || a->trans != first->trans)
      fault(fmt::format("ldmatrix: lane {} runs .x{}{} where lane 0 runs .x{}{}", lane, a->count, a->trans ? ".trans" : "",
                        first->count, first->trans ? ".trans" : ""));
  }
  const int count = first->count;
  // the addresses of lanes 0 .. 8 count - 1 name the rows; the others are ignored
  for (int lane = 0; lane < 8 * count; ++lane) {
    const void* row = static_cast<const LdmatrixArgs*>(lane_args[lane])->row_address;
    if (reinterpret_cast<uintptr_t>(row) % 16 != 0)
      fault(fmt::format("ldmatrix: lane {} gives row address {}, not 16-byte aligned", lane, row));
    if (!in_shared_memory(row, 16)) fault(fmt::format("ldmatrix: lane {} gives row address {}, outside shared memory", lane, row));
  }
  for (int lane = 0; lane < 32; ++lane) {
    auto* a = static_cast<LdmatrixArgs*>(lane_args[lane]);
    const int g = lane / 4, tid = lane % 4;
    for (int i = 0; i < count; ++i) {
      auto row = [&](int r) { return static_cast<const LdmatrixArgs*>(lane_args[8 * i + r])->row_address; };
      a->out[i] = first->trans ? pack(element_at(row(2 * tid), g), element_at(row(2 * tid + 1), g))
                               : pack(element_at(row(g), 2 * tid), element_at(row(g), 2 * tid + 1));
    }
  }
}

struct MmaArgs {
  float* d;
  const uint32_t* a;
  const uint32_t* b;
  const float* c;
};

float bf16_half(uint32_t reg, int half) {
  const uint16_t bits = static_cast<uint16_t>(half == 0 ? reg & 0xffffu : reg >> 16);
  return __bfloat162float(__nv_bfloat16_raw{bits});
}

void complete_mma(void* const* lane_args, unsigned mask) {
  (void)mask;
  float a[16][16], b[16][8], c[16][8];
  for (int lane = 0; lane < 32; ++lane) {
    const auto* m = static_cast<const MmaArgs*>(lane_args[lane]);
    const int g = lane / 4, tid = lane % 4;
    for (int h = 0; h < 2; ++h) {
      a[g][2 * tid + h] = bf16_half(m->a[0], h);
      a[g + 8][2 * tid + h] = bf16_half(m->a[1], h);
      a[g][2 * tid + 8 + h] = bf16_half(m->a[2], h);
      a[g + 8][2 * tid + 8 + h] = bf16_half(m->a[3], h);
      b[2 * tid + h][g] = bf16_half(m->b[0], h);
      b[2 * tid + 8 + h][g] = bf16_half(m->b[1], h);
      c[g][2 * tid + h] = m->c[h];
      c[g + 8][2 * tid + h] = m->c[2 + h];
    }
  }
  float d[16][8];
  for (int r = 0; r < 16; ++r)
    for (int n = 0; n < 8; ++n) {
      float s = c[r][n];
      for (int k = 0; k < 16; ++k) s = std::fmaf(a[r][k], b[k][n], s);
      d[r][n] = s;
    }
  for (int lane = 0; lane < 32; ++lane) {
    auto* m = static_cast<const MmaArgs*>(lane_args[lane]);
    const int g = lane / 4, tid = lane % 4;
    for (int h = 0; h < 2; ++h) {
      m->d[h] = d[g][2 * tid + h];
      m->d[2 + h] = d[g + 8][2 * tid + h];
    }
  }
}
}  // namespace

void ldmatrix(uint32_t* out, int count, bool trans, const void* row_address) {
  if (count != 1 && count != 2 && count != 4) fault(fmt::format("ldmatrix: .x{} is not .x1, .x2 or .x4", count));
  LdmatrixArgs args{out, count, trans, row_address};
  warp_collective(Collective::ldmatrix, kFullWarp, &args, &complete_ldmatrix);
}

void mma_m16n8k16_bf16(float* d, const uint32_t* a, const uint32_t* b, const float* c) {
  MmaArgs args{d, a, b, c};
  warp_collective(Collective::mma, kFullWarp, &args, &complete_mma);
}

}  // namespace dsmath::emu
