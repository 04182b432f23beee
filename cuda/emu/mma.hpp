#pragma once
// The warp-level matrix instructions of cuda/mma.cuh on the emulated GPU, with the per-lane
// fragment layouts of the PTX ISA ("Warp-level matrix instructions": "Matrix fragments for
// mma.m16n8k16 with floating point type" and "Warp-level matrix load instruction: ldmatrix").
// In every layout groupID = lane / 4 and tid = lane % 4; a 32-bit register holds two 16-bit
// elements, the one with the smaller column (or row, for B) index in the low half:
// - A (16 x 16, row-major): a0 = (g, 2 tid..+1), a1 = (g + 8, 2 tid..), a2 = (g, 2 tid + 8..),
//   a3 = (g + 8, 2 tid + 8..);
// - B (16 x 8, K x N): b0 = (2 tid..+1, g), b1 = (2 tid + 8..+9, g);
// - C, D (16 x 8, f32): c0, c1 = (g, 2 tid), (g, 2 tid + 1); c2, c3 = the same columns of row g + 8;
// - ldmatrix .x1/.x2/.x4: lanes 8 i .. 8 i + 7 give the row addresses (16 bytes each, 16-byte
//   aligned, in shared memory) of matrix i; register i of lane l holds row l / 4, columns
//   2 (l % 4)..+1 of matrix i, or with .trans column l / 4, rows 2 (l % 4)..+1.
// The instructions are warp-collective (all 32 lanes, .aligned): a lane that is absent, or lanes
// that disagree on the variant, are a fault, as are a row address outside shared memory or not
// 16-byte aligned. mma computes each product exactly and accumulates in fp32 in k order (a
// tensor core's order and rounding are the hardware's, one of the things only a GPU shows).
#include <cstdint>

namespace dsmath::emu {

// ldmatrix.sync.aligned.m8n8.x{count}[.trans].shared.b16: `count` (1, 2 or 4) registers into out.
void ldmatrix(uint32_t* out, int count, bool trans, const void* row_address);
// mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32: d = a b + c (d may be c).
void mma_m16n8k16_bf16(float* d, const uint32_t* a, const uint32_t* b, const float* c);

}  // namespace dsmath::emu
