#include "cuda/gemm_plan.hpp"

#include <cstdint>

#include "core/error.hpp"
#include "core/hash.hpp"

namespace dsmath::cuda {

GemmShape resolved_gemm_shape(const GemmShape& s) {
  GemmShape r = s;
  if (s.m <= 0 || s.n <= 0 || s.k <= 0) fail("matmul: empty or negative shape m={} n={} k={}", s.m, s.n, s.k);
  // row-major: a stored row of op(A) input is k wide (or m when transposed), and so on
  const int64_t a_width = s.trans_a ? s.m : s.k, b_width = s.trans_b ? s.k : s.n;
  if (r.lda == 0) r.lda = a_width;
  if (r.ldb == 0) r.ldb = b_width;
  if (r.ldc == 0) r.ldc = s.n;
  if (r.lda < a_width || r.ldb < b_width || r.ldc < s.n)
    fail("matmul: leading dimensions lda={} ldb={} ldc={} are smaller than the rows they hold ({}, {}, {})", r.lda, r.ldb,
         r.ldc, a_width, b_width, s.n);
  return r;
}

LtProblem lt_problem(const GemmShape& shape) {
  const GemmShape s = resolved_gemm_shape(shape);
  LtProblem p;
  p.m = s.n;
  p.n = s.m;
  p.k = s.k;
  // Lt's A = op(B)^T [n x k]. B row-major [k x n] is stored column-major as [n x k] = op(B)^T;
  // transposed B (row-major [n x k]) is stored as [k x n] and used transposed.
  p.a = s.trans_b ? LtOperand{s.k, s.n, s.ldb, true} : LtOperand{s.n, s.k, s.ldb, false};
  // Lt's B = op(A)^T [k x m]. A row-major [m x k] is stored as [k x m] = op(A)^T; transposed A
  // (row-major [k x m]) is stored as [m x k] and used transposed.
  p.b = s.trans_a ? LtOperand{s.m, s.k, s.lda, true} : LtOperand{s.k, s.m, s.lda, false};
  p.ldc = s.ldc;
  return p;
}

int common_alignment(const void* a, const void* b, const void* c) {
  const uintptr_t bits = reinterpret_cast<uintptr_t>(a) | reinterpret_cast<uintptr_t>(b) | reinterpret_cast<uintptr_t>(c);
  int align = 256;
  while (align > 1 && (bits & static_cast<uintptr_t>(align - 1)) != 0) align >>= 1;
  return align;
}

GemmKey make_gemm_key(const GemmShape& shape, DType ab, DType c, const void* a_ptr, const void* b_ptr, const void* c_ptr) {
  const GemmShape s = resolved_gemm_shape(shape);
  GemmKey k;
  k.m = s.m;
  k.n = s.n;
  k.k = s.k;
  k.lda = s.lda;
  k.ldb = s.ldb;
  k.ldc = s.ldc;
  k.trans_a = s.trans_a;
  k.trans_b = s.trans_b;
  k.ab_dtype = ab;
  k.c_dtype = c;
  k.alignment = common_alignment(a_ptr, b_ptr, c_ptr);
  return k;
}

size_t GemmKeyHash::operator()(const GemmKey& k) const {
  const int64_t fields[] = {k.m, k.n, k.k, k.lda, k.ldb, k.ldc, k.trans_a, k.trans_b,
                            static_cast<int64_t>(k.ab_dtype), static_cast<int64_t>(k.c_dtype), k.alignment};
  return static_cast<size_t>(hash64(fields, sizeof fields));
}

}  // namespace dsmath::cuda
