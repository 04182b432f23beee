// GEMM through OpenBLAS (row-major cblas_sgemm).
#include <cblas.h>

#include "backend/cpu/cpu_ops.hpp"
#include "core/error.hpp"

namespace dsmath::cpu {

void matmul(float* c, const float* a, const float* b, const GemmShape& s, float alpha, float beta) {
  DSMATH_CHECK(s.m > 0 && s.n > 0 && s.k > 0, "gemm shape {}x{}x{}", s.m, s.n, s.k);
  const int64_t lda = s.lda ? s.lda : (s.trans_a ? s.m : s.k);
  const int64_t ldb = s.ldb ? s.ldb : (s.trans_b ? s.k : s.n);
  const int64_t ldc = s.ldc ? s.ldc : s.n;
  cblas_sgemm(CblasRowMajor, s.trans_a ? CblasTrans : CblasNoTrans, s.trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(s.m), static_cast<blasint>(s.n), static_cast<blasint>(s.k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

}  // namespace dsmath::cpu
