#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/launch.cuh"
#include "cuda/rmsnorm.cuh"

namespace dsmath::cuda {

namespace {
constexpr int kWarpsPerBlock = 8;

// Visits the row's elements owned by this lane: 8 at a time through 16-byte words when
// kVec, else one at a time. f(column, x[0..n)) with n = 8 or 1.
template <bool kVec, class F>
__device__ __forceinline__ void for_lane_elements(const bf16* row, int dim, int lane, F&& f) {
  if constexpr (kVec) {
    for (int c = lane * 8; c < dim; c += 32 * 8) {
      Bf16x8 v;
      v.raw = load16(row + c);
      float x[8];
#pragma unroll
      for (int j = 0; j < 8; ++j) x[j] = __bfloat162float(v.h[j]);
      f(c, x, 8);
    }
  } else {
    for (int c = lane; c < dim; c += 32) {
      float x[1] = {__bfloat162float(row[c])};
      f(c, x, 1);
    }
  }
}

template <bool kVec>
__global__ void rmsnorm_forward_kernel(bf16* __restrict__ out, float* __restrict__ rstd, const bf16* __restrict__ in,
                                       const bf16* __restrict__ weight, int64_t rows, int dim, float eps) {
  const int lane = threadIdx.x & 31;
  const int64_t r = blockIdx.x * int64_t(kWarpsPerBlock) + (threadIdx.x >> 5);
  if (r >= rows) return;
  const bf16* x = in + r * dim;
  float ss = 0.0f;
  for_lane_elements<kVec>(x, dim, lane, [&](int, const float* v, int n) {
    for (int j = 0; j < n; ++j) ss += v[j] * v[j];
  });
  ss = warp_sum(ss);
  const float rs = rsqrtf(ss / static_cast<float>(dim) + eps);
  if (lane == 0) rstd[r] = rs;
  bf16* y = out + r * dim;
  for_lane_elements<kVec>(x, dim, lane, [&](int c, const float* v, int n) {
    if (n == 8) {
      Bf16x8 w, o;
      w.raw = load16(weight + c);
#pragma unroll
      for (int j = 0; j < 8; ++j) o.h[j] = __float2bfloat16_rn(v[j] * rs * __bfloat162float(w.h[j]));
      store16(y + c, o.raw);
    } else {
      y[c] = __float2bfloat16_rn(v[0] * rs * __bfloat162float(weight[c]));
    }
  });
}

// din += rstd * w * dy - rstd^3 * x * sum(dy * w * x) / dim, one warp per row
__global__ void rmsnorm_backward_input_kernel(bf16* __restrict__ din, const bf16* __restrict__ dout,
                                              const bf16* __restrict__ in, const bf16* __restrict__ weight,
                                              const float* __restrict__ rstd, int64_t rows, int dim) {
  const int lane = threadIdx.x & 31;
  const int64_t r = blockIdx.x * int64_t(kWarpsPerBlock) + (threadIdx.x >> 5);
  if (r >= rows) return;
  const bf16* x = in + r * dim;
  const bf16* dy = dout + r * dim;
  bf16* dx = din + r * dim;
  float dot = 0.0f;
  for (int c = lane; c < dim; c += 32)
    dot += __bfloat162float(dy[c]) * __bfloat162float(weight[c]) * __bfloat162float(x[c]);
  dot = warp_sum(dot);
  const float rs = rstd[r];
  const float coeff = rs * rs * rs * dot / static_cast<float>(dim);
  for (int c = lane; c < dim; c += 32) {
    const float g = rs * __bfloat162float(weight[c]) * __bfloat162float(dy[c]) - coeff * __bfloat162float(x[c]);
    dx[c] = __float2bfloat16_rn(__bfloat162float(dx[c]) + g);
  }
}

// partial[chunk][c] = sum over the chunk's rows of dy * x * rstd (rows in order)
__global__ void rmsnorm_dweight_partial_kernel(float* __restrict__ partial, const bf16* __restrict__ dout,
                                               const bf16* __restrict__ in, const float* __restrict__ rstd, int64_t rows,
                                               int dim) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= dim) return;
  const int64_t chunk = blockIdx.y;
  const int64_t r0 = chunk * kRmsnormRowsPerChunk;
  const int64_t r1 = min(rows, r0 + kRmsnormRowsPerChunk);
  float acc = 0.0f;
  for (int64_t r = r0; r < r1; ++r)
    acc += __bfloat162float(dout[r * dim + c]) * __bfloat162float(in[r * dim + c]) * rstd[r];
  partial[chunk * dim + c] = acc;
}

template <class W>
__global__ void rmsnorm_dweight_finish_kernel(W* __restrict__ dweight, const float* __restrict__ partial, int64_t chunks,
                                              int dim) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= dim) return;
  float acc = 0.0f;
  for (int64_t k = 0; k < chunks; ++k) acc += partial[k * dim + c];
  dweight[c] = from_float<W>(to_float(dweight[c]) + acc);
}

int64_t chunks_for(int64_t rows) { return (rows + kRmsnormRowsPerChunk - 1) / kRmsnormRowsPerChunk; }
}  // namespace

void launch_rmsnorm_forward(Tensor out, float* rstd, Tensor in, Tensor weight, int64_t rows, int dim, float eps,
                            cudaStream_t stream) {
  if (rows <= 0) return;
  const unsigned grid = static_cast<unsigned>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
  const auto bits = reinterpret_cast<uintptr_t>(out.data) | reinterpret_cast<uintptr_t>(in.data) |
                    reinterpret_cast<uintptr_t>(weight.data);
  if (dim % 8 == 0 && (bits & 15u) == 0)
    launch("rmsnorm_forward", rmsnorm_forward_kernel<true>, grid, kWarpsPerBlock * 32, 0, stream, out.as<bf16>(), rstd,
           in.as<const bf16>(), weight.as<const bf16>(), rows, dim, eps);
  else
    launch("rmsnorm_forward", rmsnorm_forward_kernel<false>, grid, kWarpsPerBlock * 32, 0, stream, out.as<bf16>(), rstd,
           in.as<const bf16>(), weight.as<const bf16>(), rows, dim, eps);
}

size_t rmsnorm_backward_scratch_bytes(int64_t rows, int dim) {
  return static_cast<size_t>(chunks_for(rows)) * static_cast<size_t>(dim) * sizeof(float);
}

void launch_rmsnorm_backward(Tensor din, Tensor dweight, Tensor dout, Tensor in, Tensor weight, const float* rstd,
                             int64_t rows, int dim, void* scratch, cudaStream_t stream) {
  if (rows <= 0) return;
  const unsigned grid = static_cast<unsigned>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
  launch("rmsnorm_backward (din)", rmsnorm_backward_input_kernel, grid, kWarpsPerBlock * 32, 0, stream, din.as<bf16>(),
         dout.as<const bf16>(), in.as<const bf16>(), weight.as<const bf16>(), rstd, rows, dim);
  constexpr int kThreads = 256;
  const int64_t chunks = chunks_for(rows);
  float* partial = static_cast<float*>(scratch);
  const dim3 partial_grid((dim + kThreads - 1) / kThreads, static_cast<unsigned>(chunks));
  launch("rmsnorm_backward (dweight partial sums)", rmsnorm_dweight_partial_kernel, partial_grid, kThreads, 0, stream,
         partial, dout.as<const bf16>(), in.as<const bf16>(), rstd, rows, dim);
  const unsigned finish_grid = static_cast<unsigned>((dim + kThreads - 1) / kThreads);
  if (dweight.dtype == DType::bf16)
    launch("rmsnorm_backward (dweight)", rmsnorm_dweight_finish_kernel<bf16>, finish_grid, kThreads, 0, stream,
           dweight.as<bf16>(), partial, chunks, dim);
  else
    launch("rmsnorm_backward (dweight)", rmsnorm_dweight_finish_kernel<float>, finish_grid, kThreads, 0, stream,
           dweight.as<float>(), partial, chunks, dim);
}

}  // namespace dsmath::cuda
