#pragma once
// Host-side planning of the GEMMs handed to cuBLASLt, free of CUDA headers so that it is
// unit-tested without a GPU (tests/backend/test_cuda_host.cpp):
// - the row-major Backend::matmul problem rewritten for column-major cuBLASLt, and
// - the key under which a shape's descriptors and chosen algorithm are cached.
//
// Row-major C[m,n] is the column-major matrix C^T[n,m] with the same leading dimension, so
//   C = op(A) op(B)  <=>  C^T = op(B)^T op(A)^T,
// i.e. cuBLASLt is called with its "A" = our B and its "B" = our A, dimensions (n, m, k).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "backend/backend.hpp"

namespace dsmath::cuda {

// One operand as cuBLASLt sees it: the stored column-major matrix (rows x cols, leading
// dimension ld) and whether the product uses its transpose.
struct LtOperand {
  int64_t rows = 0, cols = 0, ld = 0;
  bool transposed = false;
  bool operator==(const LtOperand&) const = default;
};

struct LtProblem {
  int64_t m = 0, n = 0, k = 0;  // column-major D[m,n] = op(A)[m,k] op(B)[k,n]
  LtOperand a, b;
  int64_t ldc = 0;  // C and D: m x n, column-major
};

// Natural leading dimensions filled in (as the CPU twin does); invalid shapes rejected with a
// message naming the problem (Error).
GemmShape resolved_gemm_shape(const GemmShape& shape);
LtProblem lt_problem(const GemmShape& row_major);

// Everything a cached plan depends on: shape, transpositions, leading dimensions, element
// types, and the alignment class of the pointers (cuBLASLt's algorithm choice depends on it).
struct GemmKey {
  int64_t m = 0, n = 0, k = 0, lda = 0, ldb = 0, ldc = 0;
  bool trans_a = false, trans_b = false;
  DType ab_dtype = DType::bf16, c_dtype = DType::bf16;
  int alignment = 256;  // bytes: the largest power of two <= 256 dividing every pointer
  bool operator==(const GemmKey&) const = default;
};

struct GemmKeyHash {
  size_t operator()(const GemmKey& k) const;
};

GemmKey make_gemm_key(const GemmShape& shape, DType ab, DType c, const void* a, const void* b, const void* c_ptr);
// The largest power of two <= 256 that divides every address.
int common_alignment(const void* a, const void* b, const void* c);

// A map from GemmKey to a plan (descriptors and algorithm), built on first use. Plans are
// never evicted: a training run uses a few dozen shapes, an inference run a few more.
template <class Plan>
class GemmPlanCache {
 public:
  template <class Make>
  Plan& get(const GemmKey& key, Make&& make) {
    auto it = plans_.find(key);
    if (it != plans_.end()) {
      ++hits_;
      return it->second;
    }
    ++misses_;
    return plans_.emplace(key, make()).first->second;
  }
  size_t size() const { return plans_.size(); }
  int64_t hits() const { return hits_; }
  int64_t misses() const { return misses_; }
  void clear() { plans_.clear(); }

 private:
  std::unordered_map<GemmKey, Plan, GemmKeyHash> plans_;
  int64_t hits_ = 0, misses_ = 0;
};

}  // namespace dsmath::cuda
