#include <initializer_list>

#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/launch.cuh"
#include "cuda/swiglu.cuh"

namespace dsmath::cuda {

namespace {
constexpr int kThreads = 256;

__device__ __forceinline__ float sigmoid(float g) { return 1.0f / (1.0f + expf(-g)); }

// Row and first column of work item i when each row holds ffn / kVec items of kVec columns.
template <int kVec>
__device__ __forceinline__ void item_position(int64_t i, int ffn, int64_t* row, int* col) {
  const int groups = ffn / kVec;
  *row = i / groups;
  *col = static_cast<int>(i - *row * groups) * kVec;
}

// One thread per group of kVec consecutive columns of a row (kVec = 8 moves 16-byte words
// when ffn is a multiple of 8 and the buffers are aligned; 1 otherwise).
template <int kVec>
__global__ void swiglu_forward_kernel(bf16* __restrict__ out, const bf16* __restrict__ gate_up, int64_t rows, int ffn) {
  const int64_t total = rows * (ffn / kVec);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t r;
    int c;
    item_position<kVec>(i, ffn, &r, &c);
    const bf16* g = gate_up + r * 2 * ffn + c;
    const bf16* u = g + ffn;
    bf16* o = out + r * ffn + c;
    if constexpr (kVec == 8) {
      Bf16x8 gv, uv, ov;
      gv.raw = load16(g);
      uv.raw = load16(u);
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        const float x = __bfloat162float(gv.h[j]);
        ov.h[j] = __float2bfloat16_rn(x * sigmoid(x) * __bfloat162float(uv.h[j]));
      }
      store16(o, ov.raw);
    } else {
      const float x = __bfloat162float(*g);
      *o = __float2bfloat16_rn(x * sigmoid(x) * __bfloat162float(*u));
    }
  }
}

template <int kVec>
__global__ void swiglu_backward_kernel(bf16* __restrict__ dgate_up, const bf16* __restrict__ dout,
                                       const bf16* __restrict__ gate_up, int64_t rows, int ffn) {
  const int64_t total = rows * (ffn / kVec);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t r;
    int c;
    item_position<kVec>(i, ffn, &r, &c);
    const bf16* g = gate_up + r * 2 * ffn + c;
    const bf16* u = g + ffn;
    const bf16* d = dout + r * ffn + c;
    bf16* dg = dgate_up + r * 2 * ffn + c;
    bf16* du = dg + ffn;
    Bf16x8 gv, uv, dv, dgv, duv;
    if constexpr (kVec == 8) {
      gv.raw = load16(g);
      uv.raw = load16(u);
      dv.raw = load16(d);
    } else {
      gv.h[0] = *g;
      uv.h[0] = *u;
      dv.h[0] = *d;
    }
#pragma unroll
    for (int j = 0; j < kVec; ++j) {
      const float x = __bfloat162float(gv.h[j]), up = __bfloat162float(uv.h[j]), dy = __bfloat162float(dv.h[j]);
      const float sig = sigmoid(x);
      dgv.h[j] = __float2bfloat16_rn(dy * up * sig * (1.0f + x * (1.0f - sig)));
      duv.h[j] = __float2bfloat16_rn(dy * x * sig);
    }
    if constexpr (kVec == 8) {
      store16(dg, dgv.raw);
      store16(du, duv.raw);
    } else {
      *dg = dgv.h[0];
      *du = duv.h[0];
    }
  }
}

bool vectorizable(int ffn, std::initializer_list<const void*> ptrs) {
  uintptr_t bits = 0;
  for (const void* p : ptrs) bits |= reinterpret_cast<uintptr_t>(p);
  return ffn % 8 == 0 && (bits & 15u) == 0;
}
}  // namespace

void launch_swiglu_forward(Tensor out, Tensor gate_up, int64_t rows, int ffn, cudaStream_t stream) {
  if (rows <= 0 || ffn <= 0) return;
  if (vectorizable(ffn, {out.data, gate_up.data})) {
    launch("swiglu_forward", swiglu_forward_kernel<8>, grid_for(rows * ffn / 8, kThreads), kThreads, 0, stream,
           out.as<bf16>(), gate_up.as<const bf16>(), rows, ffn);
  } else {
    launch("swiglu_forward", swiglu_forward_kernel<1>, grid_for(rows * ffn, kThreads), kThreads, 0, stream,
           out.as<bf16>(), gate_up.as<const bf16>(), rows, ffn);
  }
}

void launch_swiglu_backward(Tensor dgate_up, Tensor dout, Tensor gate_up, int64_t rows, int ffn, cudaStream_t stream) {
  if (rows <= 0 || ffn <= 0) return;
  if (vectorizable(ffn, {dgate_up.data, dout.data, gate_up.data})) {
    launch("swiglu_backward", swiglu_backward_kernel<8>, grid_for(rows * ffn / 8, kThreads), kThreads, 0, stream,
           dgate_up.as<bf16>(), dout.as<const bf16>(), gate_up.as<const bf16>(), rows, ffn);
  } else {
    launch("swiglu_backward", swiglu_backward_kernel<1>, grid_for(rows * ffn, kThreads), kThreads, 0, stream,
           dgate_up.as<bf16>(), dout.as<const bf16>(), gate_up.as<const bf16>(), rows, ffn);
  }
}

}  // namespace dsmath::cuda
