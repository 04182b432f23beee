#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/embedding.cuh"
#include "cuda/launch.cuh"

namespace dsmath::cuda {

namespace {
constexpr int kThreads = 256;

// one block per token row; 16-byte words when kVec
template <bool kVec>
__global__ void embedding_forward_kernel(bf16* __restrict__ out, const int32_t* __restrict__ tokens,
                                         const bf16* __restrict__ table, int dim) {
  const int64_t t = blockIdx.x;
  const bf16* src = table + static_cast<int64_t>(tokens[t]) * dim;
  bf16* dst = out + t * dim;
  if constexpr (kVec) {
    for (int c = threadIdx.x; c < dim / 8; c += blockDim.x)
      store16(dst + 8 * c, load16(src + 8 * c));
  } else {
    for (int c = threadIdx.x; c < dim; c += blockDim.x) dst[c] = src[c];
  }
}

// grid (distinct tokens, column blocks): dtable[row, c] += sum over the row's positions p, in
// ascending order, of dout[p, c]
template <class W>
__global__ void embedding_backward_kernel(W* __restrict__ dtable, const int32_t* __restrict__ packed, int64_t n_rows,
                                          const bf16* __restrict__ dout, int dim) {
  const int c = blockIdx.y * blockDim.x + threadIdx.x;
  if (c >= dim) return;
  const int32_t* rows = packed;
  const int32_t* offsets = packed + n_rows;
  const int32_t* positions = offsets + n_rows + 1;
  const int64_t u = blockIdx.x;
  float acc = 0.0f;
  for (int32_t i = offsets[u]; i < offsets[u + 1]; ++i)
    acc += __bfloat162float(dout[static_cast<int64_t>(positions[i]) * dim + c]);
  W* dst = dtable + static_cast<int64_t>(rows[u]) * dim + c;
  *dst = from_float<W>(to_float(*dst) + acc);
}
}  // namespace

void launch_embedding_forward(Tensor out, const int32_t* tokens, Tensor table, int64_t n_tokens, int dim,
                              cudaStream_t stream) {
  if (n_tokens <= 0) return;
  const auto bits = reinterpret_cast<uintptr_t>(out.data) | reinterpret_cast<uintptr_t>(table.data);
  const int threads = dim >= 1024 ? kThreads : 128;
  if (dim % 8 == 0 && (bits & 15u) == 0)
    launch("embedding_forward", embedding_forward_kernel<true>, static_cast<unsigned>(n_tokens), threads, 0, stream,
           out.as<bf16>(), tokens, table.as<const bf16>(), dim);
  else
    launch("embedding_forward", embedding_forward_kernel<false>, static_cast<unsigned>(n_tokens), threads, 0, stream,
           out.as<bf16>(), tokens, table.as<const bf16>(), dim);
}

void launch_embedding_backward(Tensor dtable, const int32_t* packed, int64_t n_rows, int64_t n_tokens, Tensor dout,
                               int dim, cudaStream_t stream) {
  if (n_rows <= 0 || n_tokens <= 0) return;
  const dim3 grid(static_cast<unsigned>(n_rows), static_cast<unsigned>((dim + kThreads - 1) / kThreads));
  if (dtable.dtype == DType::bf16)
    launch("embedding_backward", embedding_backward_kernel<bf16>, grid, kThreads, 0, stream, dtable.as<bf16>(), packed,
           n_rows, dout.as<const bf16>(), dim);
  else
    launch("embedding_backward", embedding_backward_kernel<float>, grid, kThreads, 0, stream, dtable.as<float>(),
           packed, n_rows, dout.as<const bf16>(), dim);
}

}  // namespace dsmath::cuda
