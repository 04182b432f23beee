#include "cuda/common.cuh"
#include "cuda/launch.cuh"
#include "device_rule_kernels.cuh"

namespace dsmath::test::rules {

namespace {
using cuda::launch;

__global__ void fill_index_kernel(int* out, int64_t n) {
  DSMATH_DYNAMIC_SHARED(unsigned char, smem);
  if (threadIdx.x == 0) smem[0] = 1;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = static_cast<int>(i);
}

__global__ void vector_copy_kernel(unsigned char* dst, const unsigned char* src) {
  if (threadIdx.x == 0) cuda::store16(dst, cuda::load16(src));
}

__global__ void block_reverse_kernel(int* out, const int* in, int n, bool with_barrier) {
  DSMATH_STATIC_SHARED(int, slots, [256]);
  const int t = threadIdx.x;
  slots[t] = in[t];
  if (with_barrier) __syncthreads();
  out[t] = slots[n - 1 - t];
}

__global__ void divergent_barrier_kernel(int* out) {
  const int lane = threadIdx.x;
  int v = lane;
  if (lane < 16) v = __shfl_xor_sync(0xffffffffu, v, 1);  // needs lanes 16-31, which wait below
  else __syncthreads();                                   // needs lanes 0-15, which wait above
  out[lane] = v;
}

__global__ void write_past_end_kernel(int* out, int n) {
  if (threadIdx.x == 0) out[n] = 1;
}

__global__ void shuffle_after_exit_kernel(int* out) {
  const int lane = threadIdx.x;
  if (lane >= 16) return;
  out[lane] = __shfl_xor_sync(0xffffffffu, lane, 1);
}
}  // namespace

void fill_index(int* out, int64_t n, dim3 grid, dim3 block, size_t dynamic_smem, cudaStream_t stream) {
  launch("rules: fill_index", fill_index_kernel, grid, block, dynamic_smem, stream, out, n);
}
cudaError_t allow_dynamic_smem(size_t bytes) {
  return cudaFuncSetAttribute(fill_index_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes));
}
void vector_copy(void* dst, const void* src, cudaStream_t stream) {
  launch("rules: vector_copy", vector_copy_kernel, 1, 32, 0, stream, static_cast<unsigned char*>(dst),
         static_cast<const unsigned char*>(src));
}
void block_reverse(int* out, const int* in, int n, bool with_barrier, cudaStream_t stream) {
  launch("rules: block_reverse", block_reverse_kernel, 1, n, 0, stream, out, in, n, with_barrier);
}
void divergent_barrier(int* out, cudaStream_t stream) {
  launch("rules: divergent_barrier", divergent_barrier_kernel, 1, 32, 0, stream, out);
}
void write_past_end(int* out, int n, cudaStream_t stream) {
  launch("rules: write_past_end", write_past_end_kernel, 1, 32, 0, stream, out, n);
}
void shuffle_after_exit(int* out, cudaStream_t stream) {
  launch("rules: shuffle_after_exit", shuffle_after_exit_kernel, 1, 32, 0, stream, out);
}

}  // namespace dsmath::test::rules
