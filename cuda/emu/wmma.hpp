#pragma once
// nvcuda::wmma on the emulated GPU: m16n16k16 fragments (bf16/f16 operands, f32 accumulators)
// with the semantics of the CUDA Programming Guide, "Warp Matrix Functions":
// - load/store/mma are warp-collective: every lane of the warp calls them, with the same pointer
//   and leading dimension; the pointer is 256-bit (32-byte) aligned and ldm a multiple of 16 bytes
//   (8 bf16/f16 or 4 floats); anything else is a fault;
// - a fragment's mapping of matrix elements to lanes is unspecified. The emulator uses a
//   scrambled one (element i of lane l holds tile element (8 l + i) * 97 mod 256, row-major), so
//   code that assumes a mapping gets wrong results instead of the right ones by luck; code that
//   treats fragment elements uniformly (scaling, filling) is unaffected;
// - mma_sync computes D = A B + C with each product exact and the sum accumulated in fp32 in k
//   order (tensor cores round in an unspecified order: one of the things only a GPU shows).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "cuda/emu/thread_block.hpp"

namespace nvcuda::wmma {

struct row_major {};
struct col_major {};
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
enum layout_t { mem_row_major, mem_col_major };

template <class Use, int M, int N, int K, class T, class Layout = void>
struct fragment {
  static_assert(M == 16 && N == 16 && K == 16, "the emulated WMMA provides m16n16k16 fragments");
  static constexpr int num_elements = 8;  // 256 elements over 32 lanes
  using element_type = T;
  T x[num_elements];
};

namespace detail {
inline float widen(float v) { return v; }
inline float widen(__nv_bfloat16 v) { return __bfloat162float(v); }
inline float widen(__half v) { return __half2float(v); }
template <class T>
T narrow(float v) {
  if constexpr (std::is_same_v<T, __nv_bfloat16>) return __float2bfloat16_rn(v);
  else if constexpr (std::is_same_v<T, __half>) return __float2half_rn(v);
  else return v;
}

// Row and column in the 16 x 16 tile of element i of `lane`'s fragment.
inline int tile_index(int lane, int i) { return ((lane * 8 + i) * 97) & 255; }

struct MemoryArgs {
  const void* ptr;
  unsigned ldm;
  unsigned element_bytes;
  int layout;  // 0 row-major, 1 column-major
};
// Checks that every lane passed the same, valid arguments (a fault otherwise).
void check_memory_args(void* const* lane_args, unsigned mask);
inline void sync_memory_op(::dsmath::emu::Collective kind, const void* ptr, unsigned ldm, unsigned element_bytes,
                           bool row_major) {
  MemoryArgs args{ptr, ldm, element_bytes, row_major ? 0 : 1};
  ::dsmath::emu::warp_collective(kind, 0xffffffffu, &args, &check_memory_args);
}

struct MmaArgs {
  float* d;
  const void* a;
  const void* b;
  const float* c;
  int ab_type;  // 0 bf16, 1 f16
};
void complete_mma(void* const* lane_args, unsigned mask);

// Memory offset of tile element (r, c) for a row- or column-major matrix with leading dimension ldm.
inline int64_t offset(int r, int c, unsigned ldm, bool row_major) {
  return row_major ? int64_t(r) * ldm + c : int64_t(c) * ldm + r;
}
}  // namespace detail

template <class Use, int M, int N, int K, class T, class Layout, class V>
inline void fill_fragment(fragment<Use, M, N, K, T, Layout>& f, const V& v) {
  for (int i = 0; i < f.num_elements; ++i) f.x[i] = static_cast<T>(v);
}

template <class Use, class T, class Layout>
inline void load_matrix_sync(fragment<Use, 16, 16, 16, T, Layout>& f, const T* ptr, unsigned ldm) {
  static_assert(!std::is_same_v<Use, accumulator>, "an accumulator load names its layout");
  constexpr bool row = std::is_same_v<Layout, row_major>;
  detail::sync_memory_op(::dsmath::emu::Collective::wmma_load, ptr, ldm, sizeof(T), row);
  const int lane = ::dsmath::emu::lane_id();
  for (int i = 0; i < 8; ++i) {
    const int e = detail::tile_index(lane, i);
    f.x[i] = ptr[detail::offset(e / 16, e % 16, ldm, row)];
  }
}

inline void load_matrix_sync(fragment<accumulator, 16, 16, 16, float>& f, const float* ptr, unsigned ldm, layout_t layout) {
  const bool row = layout == mem_row_major;
  detail::sync_memory_op(::dsmath::emu::Collective::wmma_load, ptr, ldm, sizeof(float), row);
  const int lane = ::dsmath::emu::lane_id();
  for (int i = 0; i < 8; ++i) {
    const int e = detail::tile_index(lane, i);
    f.x[i] = ptr[detail::offset(e / 16, e % 16, ldm, row)];
  }
}

inline void store_matrix_sync(float* ptr, const fragment<accumulator, 16, 16, 16, float>& f, unsigned ldm, layout_t layout) {
  const bool row = layout == mem_row_major;
  detail::sync_memory_op(::dsmath::emu::Collective::wmma_store, ptr, ldm, sizeof(float), row);
  const int lane = ::dsmath::emu::lane_id();
  for (int i = 0; i < 8; ++i) {
    const int e = detail::tile_index(lane, i);
    ptr[detail::offset(e / 16, e % 16, ldm, row)] = f.x[i];
  }
}

template <class T, class LayoutA, class LayoutB>
inline void mma_sync(fragment<accumulator, 16, 16, 16, float>& d, const fragment<matrix_a, 16, 16, 16, T, LayoutA>& a,
                     const fragment<matrix_b, 16, 16, 16, T, LayoutB>& b, const fragment<accumulator, 16, 16, 16, float>& c) {
  static_assert(std::is_same_v<T, __nv_bfloat16> || std::is_same_v<T, __half>, "bf16 or f16 operands");
  detail::MmaArgs args{d.x, a.x, b.x, c.x, std::is_same_v<T, __nv_bfloat16> ? 0 : 1};
  ::dsmath::emu::warp_collective(::dsmath::emu::Collective::wmma_mma, 0xffffffffu, &args, &detail::complete_mma);
}

}  // namespace nvcuda::wmma
