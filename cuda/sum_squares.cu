#include "cuda/check.cuh"
#include "cuda/common.cuh"
#include "cuda/launch.cuh"
#include "cuda/sum_squares.cuh"

namespace dsmath::cuda {

namespace {
constexpr int kThreads = 256;

template <class T>
__global__ void chunk_sum_squares_kernel(double* __restrict__ chunk_sums, const T* __restrict__ x, int64_t n) {
  DSMATH_STATIC_SHARED(double, shared, [32]);
  const int64_t begin = blockIdx.x * kSumSquaresChunk;
  const int64_t end = min(n, begin + kSumSquaresChunk);
  double acc = 0.0;
  for (int64_t i = begin + threadIdx.x; i < end; i += kThreads) {
    const double v = to_float(x[i]);
    acc += v * v;
  }
  acc = block_sum(acc, shared);
  if (threadIdx.x == 0) chunk_sums[blockIdx.x] = acc;
}

__global__ void total_kernel(double* __restrict__ result, const double* __restrict__ chunk_sums, int64_t n_chunks) {
  DSMATH_STATIC_SHARED(double, shared, [32]);
  double acc = 0.0;
  for (int64_t i = threadIdx.x; i < n_chunks; i += blockDim.x) acc += chunk_sums[i];
  acc = block_sum(acc, shared);
  if (threadIdx.x == 0) *result = acc;
}

int64_t chunks(int64_t n) { return (n + kSumSquaresChunk - 1) / kSumSquaresChunk; }
}  // namespace

size_t sum_squares_scratch_bytes(int64_t n) { return static_cast<size_t>(1 + chunks(n)) * sizeof(double); }

void launch_sum_squares(Tensor x, int64_t n, void* scratch, cudaStream_t stream) {
  double* result = static_cast<double*>(scratch);
  if (n <= 0) {
    DSMATH_CUDA(cudaMemsetAsync(result, 0, sizeof(double), stream), "sum_squares");
    return;
  }
  double* chunk_sums = result + 1;
  const int64_t n_chunks = chunks(n);
  if (x.dtype == DType::bf16)
    launch("sum_squares (chunks)", chunk_sum_squares_kernel<bf16>, static_cast<unsigned>(n_chunks), kThreads, 0, stream,
           chunk_sums, x.as<const bf16>(), n);
  else
    launch("sum_squares (chunks)", chunk_sum_squares_kernel<float>, static_cast<unsigned>(n_chunks), kThreads, 0,
           stream, chunk_sums, x.as<const float>(), n);
  launch("sum_squares (total)", total_kernel, 1, 1024, 0, stream, result, chunk_sums, n_chunks);
}

}  // namespace dsmath::cuda
