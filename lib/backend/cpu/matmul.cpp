// GEMM through OpenBLAS (row-major cblas_sgemm), in fixed tiles of C.
//
// OpenBLAS's own threading splits the product among its threads by the thread count, and the
// split changes the kernels' edge cases and so the rounding: with 3 threads an sgemm at the
// CPU benchmark's shapes differs from 1 thread in about 1% of its outputs, so a run would not
// resume bit for bit under another thread count. Here C is cut into tiles whose size depends
// on the shape only; each tile is one single-threaded sgemm call over the whole K, and the
// tiles are spread over OpenMP's threads. Every output element is then computed by the same call, whatever the
// thread count. (Measured cost at the benchmark's shape: docs/benchmarks.md.)
#include <cblas.h>

#include <algorithm>

#include "backend/cpu/cpu_ops.hpp"
#include "core/error.hpp"

namespace dsmath::cpu {

namespace {
// Large enough for OpenBLAS's kernels to run at their rate on a tile, small enough that a
// dim-256 layer's weight gradient (256 x 256) still spreads over 4 threads.
constexpr int64_t kTileRows = 128;
constexpr int64_t kTileCols = 128;
}  // namespace

void matmul(float* c, const float* a, const float* b, const GemmShape& s, float alpha, float beta) {
  DSMATH_CHECK(s.m > 0 && s.n > 0 && s.k > 0, "gemm shape {}x{}x{}", s.m, s.n, s.k);
  // OpenBLAS's own threads off, once, for the OpenMP and the pthread builds alike: the
  // parallelism is over the tiles
  static const bool single_threaded_blas = (openblas_set_num_threads(1), true);
  (void)single_threaded_blas;
  const int64_t lda = s.lda ? s.lda : (s.trans_a ? s.m : s.k);
  const int64_t ldb = s.ldb ? s.ldb : (s.trans_b ? s.k : s.n);
  const int64_t ldc = s.ldc ? s.ldc : s.n;
  const int64_t row_tiles = (s.m + kTileRows - 1) / kTileRows, col_tiles = (s.n + kTileCols - 1) / kTileCols;
  const int64_t tiles = row_tiles * col_tiles;
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t i0 = (t / col_tiles) * kTileRows, j0 = (t % col_tiles) * kTileCols;
    const int64_t rows = std::min(kTileRows, s.m - i0), cols = std::min(kTileCols, s.n - j0);
    // rows i0.. of op(A): row i0 of A, or column i0 of A stored transposed (K x M)
    const float* a_tile = s.trans_a ? a + i0 : a + i0 * lda;
    // columns j0.. of op(B): column j0 of B, or row j0 of B stored transposed (N x K)
    const float* b_tile = s.trans_b ? b + j0 * ldb : b + j0;
    cblas_sgemm(CblasRowMajor, s.trans_a ? CblasTrans : CblasNoTrans, s.trans_b ? CblasTrans : CblasNoTrans,
                static_cast<blasint>(rows), static_cast<blasint>(cols), static_cast<blasint>(s.k), alpha, a_tile,
                static_cast<blasint>(lda), b_tile, static_cast<blasint>(ldb), beta, c + i0 * ldc + j0,
                static_cast<blasint>(ldc));
  }
}

}  // namespace dsmath::cpu
