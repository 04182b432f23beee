#include "cuda/gemm.hpp"

#include <cublasLt.h>

#include <algorithm>

#include "core/error.hpp"
#include "cuda/check.cuh"

namespace dsmath::cuda {

namespace {
cudaDataType_t lt_type(DType t) {
  switch (t) {
    case DType::bf16: return CUDA_R_16BF;
    case DType::f16: return CUDA_R_16F;
    case DType::f32: return CUDA_R_32F;
    default: fail("cuda backend: matmul: {} operands are not supported", dtype_name(t));
  }
}

struct DescDeleter {
  void operator()(cublasLtMatmulDescOpaque_t* d) const { cublasLtMatmulDescDestroy(d); }
};
struct LayoutDeleter {
  void operator()(cublasLtMatrixLayoutOpaque_t* l) const { cublasLtMatrixLayoutDestroy(l); }
};
struct PreferenceDeleter {
  void operator()(cublasLtMatmulPreferenceOpaque_t* p) const { cublasLtMatmulPreferenceDestroy(p); }
};
using DescPtr = std::unique_ptr<cublasLtMatmulDescOpaque_t, DescDeleter>;
using LayoutPtr = std::unique_ptr<cublasLtMatrixLayoutOpaque_t, LayoutDeleter>;
using PreferencePtr = std::unique_ptr<cublasLtMatmulPreferenceOpaque_t, PreferenceDeleter>;

LayoutPtr make_layout(cudaDataType_t type, const LtOperand& o) {
  cublasLtMatrixLayout_t l = nullptr;
  DSMATH_CUBLAS(cublasLtMatrixLayoutCreate(&l, type, static_cast<uint64_t>(o.rows), static_cast<uint64_t>(o.cols), o.ld),
                "matmul (layout)");
  return LayoutPtr(l);
}
}  // namespace

struct LtGemm::Plan {
  DescPtr op;
  LayoutPtr a, b, c;
  cublasLtMatmulAlgo_t algo{};
};

struct LtGemm::Impl {
  cudaStream_t stream = nullptr;
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
  GemmPlanCache<Plan> cache;

  Plan make_plan(const GemmKey& key, const GemmShape& shape, size_t workspace_bytes) {
    const LtProblem p = lt_problem(shape);
    Plan plan;
    cublasLtMatmulDesc_t op = nullptr;
    DSMATH_CUBLAS(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F), "matmul (descriptor)");
    plan.op.reset(op);
    const cublasOperation_t ta = p.a.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t tb = p.b.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
    DSMATH_CUBLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta), "matmul (descriptor)");
    DSMATH_CUBLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb), "matmul (descriptor)");
    const cudaDataType_t ab = lt_type(key.ab_dtype), c = lt_type(key.c_dtype);
    plan.a = make_layout(ab, p.a);
    plan.b = make_layout(ab, p.b);
    plan.c = make_layout(c, LtOperand{p.m, p.n, p.ldc, false});

    cublasLtMatmulPreference_t pref_raw = nullptr;
    DSMATH_CUBLAS(cublasLtMatmulPreferenceCreate(&pref_raw), "matmul (preference)");
    PreferencePtr pref(pref_raw);
    const uint64_t ws = workspace_bytes;
    DSMATH_CUBLAS(cublasLtMatmulPreferenceSetAttribute(pref_raw, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws),
                  "matmul (preference)");
    const uint32_t align = static_cast<uint32_t>(key.alignment);
    for (auto attr : {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
      DSMATH_CUBLAS(cublasLtMatmulPreferenceSetAttribute(pref_raw, attr, &align, sizeof align), "matmul (preference)");
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    DSMATH_CUBLAS(cublasLtMatmulAlgoGetHeuristic(handle, op, plan.a.get(), plan.b.get(), plan.c.get(), plan.c.get(),
                                                 pref_raw, 1, &result, &found),
                  "matmul (algorithm search)");
    if (found == 0)
      fail("cuda backend: matmul: cuBLASLt has no algorithm for m={} n={} k={} (trans {}{}, {} x {} -> {}, {}-byte "
           "aligned)",
           key.m, key.n, key.k, key.trans_a ? 'T' : 'N', key.trans_b ? 'T' : 'N', dtype_name(key.ab_dtype),
           dtype_name(key.ab_dtype), dtype_name(key.c_dtype), key.alignment);
    plan.algo = result.algo;
    return plan;
  }
};

LtGemm::LtGemm(cudaStream_t stream, size_t workspace_bytes) : impl_(std::make_unique<Impl>()), workspace_bytes_(workspace_bytes) {
  impl_->stream = stream;
  DSMATH_CUBLAS(cublasLtCreate(&impl_->handle), "cuBLASLt initialization");
  DSMATH_CUDA(cudaMalloc(&impl_->workspace, workspace_bytes), "cuBLASLt workspace allocation");
}

LtGemm::~LtGemm() {
  impl_->cache.clear();  // descriptors before the handle
  if (impl_->workspace != nullptr) cudaFree(impl_->workspace);
  if (impl_->handle != nullptr) cublasLtDestroy(impl_->handle);
}

void LtGemm::run(Tensor d, Tensor a, Tensor b, Tensor c, const GemmShape& shape, float alpha, float beta) {
  if (a.dtype != b.dtype)
    fail("cuda backend: matmul: A is {} but B is {}; both operands must share a dtype", dtype_name(a.dtype),
         dtype_name(b.dtype));
  if (a.dtype == DType::f32 && d.dtype != DType::f32)
    fail("cuda backend: matmul: f32 operands need an f32 result, got {}", dtype_name(d.dtype));
  if (c.dtype != d.dtype)
    fail("cuda backend: matmul: C is {} but D is {}; they share a layout and a dtype", dtype_name(c.dtype), dtype_name(d.dtype));
  GemmKey key = make_gemm_key(shape, a.dtype, d.dtype, a.data, b.data, d.data);
  key.alignment = std::min(key.alignment, common_alignment(c.data, c.data, c.data));  // the algorithm reads C too
  Plan& plan = impl_->cache.get(key, [&] { return impl_->make_plan(key, shape, workspace_bytes_); });
  // cuBLASLt's A is our B and its B our A (gemm_plan.hpp)
  DSMATH_CUBLAS(cublasLtMatmul(impl_->handle, plan.op.get(), &alpha, b.data, plan.a.get(), a.data, plan.b.get(), &beta,
                               c.data, plan.c.get(), d.data, plan.c.get(), &plan.algo, impl_->workspace, workspace_bytes_,
                               impl_->stream),
                "matmul");
}

size_t LtGemm::plans() const { return impl_->cache.size(); }
int64_t LtGemm::plan_hits() const { return impl_->cache.hits(); }

}  // namespace dsmath::cuda
