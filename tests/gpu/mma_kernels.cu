#include "cuda/common.cuh"
#include "cuda/launch.cuh"
#include "cuda/mma.cuh"
#include "mma_kernels.cuh"

namespace dsmath::test::mma_kernels {

namespace {
using cuda::bf16;
using namespace cuda::mma;

constexpr int kLd = 16 + 8;  // shared row stride in bf16: 48 bytes, 16-byte aligned rows

__global__ void product_kernel(float* d, const bf16* a, const bf16* b, const float* c, int how) {
  DSMATH_STATIC_SHARED(uint4, sA_words, [16 * kLd / 8]);  // uint4: 16-byte aligned rows
  DSMATH_STATIC_SHARED(uint4, sB_words, [16 * kLd / 8]);
  bf16* sA = reinterpret_cast<bf16*>(sA_words);
  bf16* sB = reinterpret_cast<bf16*>(sB_words);
  const int lane = threadIdx.x, g = lane / 4, tid = lane % 4;
  // 16 rows x 2 halves of 8 elements per operand: one 16-byte copy per lane each
  const int r = lane / 2, half = lane % 2;
  cp_async16(sA + r * kLd + half * 8, a + r * 16 + half * 8, 16);
  cp_async16(sB + r * kLd + half * 8, b + r * 16 + half * 8, 16);
  cp_async_commit();
  cp_async_wait<0>();
  __syncwarp();

  uint32_t fa[4], fb[4];  // fb: b0, b1 of columns 0-7, then of columns 8-15
  if (how == static_cast<int>(Operands::registers)) {
    auto at = [](const bf16* m, int row, int col) { return __bfloat162float(m[row * 16 + col]); };
    fa[0] = pack_bf16x2(at(a, g, 2 * tid), at(a, g, 2 * tid + 1));
    fa[1] = pack_bf16x2(at(a, g + 8, 2 * tid), at(a, g + 8, 2 * tid + 1));
    fa[2] = pack_bf16x2(at(a, g, 2 * tid + 8), at(a, g, 2 * tid + 9));
    fa[3] = pack_bf16x2(at(a, g + 8, 2 * tid + 8), at(a, g + 8, 2 * tid + 9));
    for (int n = 0; n < 2; ++n) {
      fb[2 * n] = pack_bf16x2(at(b, 2 * tid, n * 8 + g), at(b, 2 * tid + 1, n * 8 + g));
      fb[2 * n + 1] = pack_bf16x2(at(b, 2 * tid + 8, n * 8 + g), at(b, 2 * tid + 9, n * 8 + g));
    }
  } else {
    // A: lanes 0-15 name rows 0-15 at column 0, lanes 16-31 the same rows at column 8
    ldmatrix_x4(fa, sA + (lane & 15) * kLd + (lane >> 4) * 8);
    const int m = lane >> 3, row = lane & 7;
    if (how == static_cast<int>(Operands::ldmatrix)) {
      // B^T rows are B's columns: matrix m = (n block m / 2, k half m % 2)
      ldmatrix_x4(fb, sB + ((m >> 1) * 8 + row) * kLd + (m & 1) * 8);
    } else {
      // B rows are k: matrix m = (k half m % 2, n block m / 2), transposed
      ldmatrix_x4_trans(fb, sB + ((m & 1) * 8 + row) * kLd + (m >> 1) * 8);
    }
  }
  for (int n = 0; n < 2; ++n) {
    float acc[4] = {c[g * 16 + n * 8 + 2 * tid], c[g * 16 + n * 8 + 2 * tid + 1], c[(g + 8) * 16 + n * 8 + 2 * tid],
                    c[(g + 8) * 16 + n * 8 + 2 * tid + 1]};
    const uint32_t bn[2] = {fb[2 * n], fb[2 * n + 1]};
    mma_16816(acc, fa, bn);
    d[g * 16 + n * 8 + 2 * tid] = acc[0];
    d[g * 16 + n * 8 + 2 * tid + 1] = acc[1];
    d[(g + 8) * 16 + n * 8 + 2 * tid] = acc[2];
    d[(g + 8) * 16 + n * 8 + 2 * tid + 1] = acc[3];
  }
}

__global__ void read_before_wait_kernel(unsigned char* out, const unsigned char* src) {
  DSMATH_STATIC_SHARED(uint4, words, [4]);
  auto* buffer = reinterpret_cast<unsigned char*>(words);
  const int lane = threadIdx.x;
  if (lane < 4) {
    cp_async16(buffer + 16 * lane, src + 16 * lane, 16);
    cp_async_commit();
    for (int i = 0; i < 16; ++i) out[16 * lane + i] = buffer[16 * lane + i];
    cp_async_wait<0>();
    for (int i = 0; i < 16; ++i) out[64 + 16 * lane + i] = buffer[16 * lane + i];
  }
}
}  // namespace

void product(float* d, const void* a, const void* b, const float* c, Operands how, cudaStream_t stream) {
  cuda::launch("mma: product", product_kernel, 1, 32, 0, stream, d, static_cast<const bf16*>(a),
               static_cast<const bf16*>(b), c, static_cast<int>(how));
}

void read_before_wait(unsigned char* out, const unsigned char* src, cudaStream_t stream) {
  cuda::launch("mma: read_before_wait", read_before_wait_kernel, 1, 32, 0, stream, out, src);
}

}  // namespace dsmath::test::mma_kernels
