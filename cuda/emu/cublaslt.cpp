// The cuBLASLt subset the CUDA backend uses (cuda/gemm.cpp), on the emulated GPU: descriptors,
// layouts, preferences, the heuristic query and cublasLtMatmul, with the checks the cuBLAS
// documentation ("cublasLtMatmul", "Data types" tables) specifies, so that a wrong layout, ld,
// transpose, type combination, workspace or alignment is refused here as there:
// - computeType CUBLAS_COMPUTE_32F with scaleType CUDA_R_32F; A and B both bf16 with C/D bf16
//   or f32, both f16 with C/D f16 or f32, or both f32 with C/D f32; C and D of one type;
// - column-major layouts (ORDER COL) without batches; ld >= rows; op(A) m x k, op(B) k x n,
//   C and D m x n; in place (C == D) only with identical layouts;
// - an algorithm is chosen for the preference's maximum workspace and minimum alignments; a
//   matmul must give it that workspace and pointers aligned as promised;
// - every operand lies inside device memory (a GPU would fault).
// D = alpha op(A) op(B) + beta C is computed in fp32, each product exact for 16-bit inputs, the
// sum in k order; C is not read when beta is 0.
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <fmt/format.h>

#include <cstring>
#include <new>
#include <mutex>
#include <string>

#include "cuda/emu/device.hpp"
#include "cuda/emu/errors.hpp"

struct cublasLtContext {
  uint32_t magic;
};

namespace {
using dsmath::emu::Device;
using dsmath::emu::Footprint;
using dsmath::emu::StreamState;
using dsmath::emu::Task;

constexpr uint32_t kHandleMagic = 0x4c744548, kDescMagic = 0x4c744445, kLayoutMagic = 0x4c744c59,
                   kPrefMagic = 0x4c745046, kAlgoMagic = 0x4c74414c;
constexpr uint64_t kAlgoWorkspaceBytes = uint64_t{1} << 20;  // what the emulated algorithm asks for

thread_local std::string tls_detail;
thread_local cublasStatus_t tls_detail_status = CUBLAS_STATUS_SUCCESS;
thread_local std::string tls_text;

cublasStatus_t fail(cublasStatus_t s, std::string detail) {
  tls_detail = std::move(detail);
  tls_detail_status = s;
  return s;
}

struct Desc {
  uint32_t magic;
  cublasComputeType_t compute;
  cudaDataType_t scale;
  cublasOperation_t trans_a, trans_b;
};
struct Layout {
  uint32_t magic;
  cudaDataType_t type;
  uint64_t rows, cols;
  int64_t ld;
};
struct Pref {
  uint32_t magic;
  uint64_t max_workspace;
  uint32_t align[4];  // A, B, C, D
};
struct Algo {
  uint32_t magic;
  uint32_t align[4];
  uint64_t workspace;
};
static_assert(sizeof(Desc) <= sizeof(cublasLtMatmulDescOpaque_t));
static_assert(sizeof(Layout) <= sizeof(cublasLtMatrixLayoutOpaque_t));
static_assert(sizeof(Pref) <= sizeof(cublasLtMatmulPreferenceOpaque_t));
static_assert(sizeof(Algo) <= sizeof(cublasLtMatmulAlgo_t));

template <class T, class Opaque>
T* as(Opaque* o, uint32_t magic) {
  if (o == nullptr) return nullptr;
  T* t = std::launder(reinterpret_cast<T*>(o->data));
  return t->magic == magic ? t : nullptr;
}

// Descriptors live in the opaque storage cublasLt.h defines for them, marked by a magic number.
template <class Opaque, class T>
cublasStatus_t create(Opaque** out, const T& value) {
  auto* o = new Opaque{};
  new (o->data) T(value);
  *out = o;
  return CUBLAS_STATUS_SUCCESS;
}
template <class T, class Opaque>
cublasStatus_t destroy(Opaque* o, uint32_t magic, const char* what) {
  if (as<T>(o, magic) == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, fmt::format("destroy: bad {}", what));
  delete o;
  return CUBLAS_STATUS_SUCCESS;
}

size_t type_bytes(cudaDataType_t t) {
  switch (t) {
    case CUDA_R_16BF:
    case CUDA_R_16F: return 2;
    case CUDA_R_32F: return 4;
    default: return 0;
  }
}
const char* type_name(cudaDataType_t t) {
  switch (t) {
    case CUDA_R_16BF: return "bf16";
    case CUDA_R_16F: return "f16";
    case CUDA_R_32F: return "f32";
    default: return "an unsupported type";
  }
}

float load(const void* p, cudaDataType_t t, int64_t i) {
  switch (t) {
    case CUDA_R_16BF: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    case CUDA_R_16F: return __half2float(static_cast<const __half*>(p)[i]);
    default: return static_cast<const float*>(p)[i];
  }
}
void store(void* p, cudaDataType_t t, int64_t i, float v) {
  switch (t) {
    case CUDA_R_16BF: static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(v); break;
    case CUDA_R_16F: static_cast<__half*>(p)[i] = __float2half_rn(v); break;
    default: static_cast<float*>(p)[i] = v; break;
  }
}

// The documented type combinations (compute 32F, scale 32F).
bool supported_types(cudaDataType_t ab, cudaDataType_t cd) {
  if (ab == CUDA_R_16BF || ab == CUDA_R_16F) return cd == ab || cd == CUDA_R_32F;
  return ab == CUDA_R_32F && cd == CUDA_R_32F;
}

int alignment_of(const void* p) {
  const auto bits = reinterpret_cast<uintptr_t>(p);
  int a = 256;
  while (a > 1 && (bits & static_cast<uintptr_t>(a - 1)) != 0) a >>= 1;
  return a;
}

uint64_t extent_bytes(const Layout& l) {
  return (static_cast<uint64_t>(l.ld) * (l.cols - 1) + l.rows) * type_bytes(l.type);
}

// The problem the descriptors describe, or a failure naming what is inconsistent.
cublasStatus_t check_problem(const Desc& op, const Layout& a, const Layout& b, const Layout& c, const Layout& d,
                             uint64_t* m, uint64_t* n, uint64_t* k) {
  if (op.compute != CUBLAS_COMPUTE_32F || op.scale != CUDA_R_32F)
    return fail(CUBLAS_STATUS_NOT_SUPPORTED, "matmul: the emulated cuBLASLt computes in CUBLAS_COMPUTE_32F with CUDA_R_32F scales");
  if (a.type != b.type || c.type != d.type || !supported_types(a.type, c.type))
    return fail(CUBLAS_STATUS_NOT_SUPPORTED,
                fmt::format("matmul: A {} x B {} -> C {} / D {} is not a supported type combination", type_name(a.type),
                            type_name(b.type), type_name(c.type), type_name(d.type)));
  for (const Layout* l : {&a, &b, &c, &d})
    if (l->rows == 0 || l->cols == 0 || l->ld < static_cast<int64_t>(l->rows))
      return fail(CUBLAS_STATUS_INVALID_VALUE,
                  fmt::format("matmul: a {} x {} column-major layout needs ld >= rows, got ld {}", l->rows, l->cols, l->ld));
  *m = op.trans_a == CUBLAS_OP_N ? a.rows : a.cols;
  *k = op.trans_a == CUBLAS_OP_N ? a.cols : a.rows;
  const uint64_t kb = op.trans_b == CUBLAS_OP_N ? b.rows : b.cols;
  *n = op.trans_b == CUBLAS_OP_N ? b.cols : b.rows;
  if (kb != *k || c.rows != *m || c.cols != *n || d.rows != *m || d.cols != *n)
    return fail(CUBLAS_STATUS_INVALID_VALUE,
                fmt::format("matmul: op(A) is {} x {}, op(B) {} x {}, C {} x {}, D {} x {}: the shapes do not chain", *m,
                            *k, kb, *n, c.rows, c.cols, d.rows, d.cols));
  return CUBLAS_STATUS_SUCCESS;
}
}  // namespace

extern "C" {

cublasStatus_t cublasLtCreate(cublasLtHandle_t* handle) {
  *handle = new cublasLtContext{kHandleMagic};
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtDestroy(cublasLtHandle_t handle) {
  if (handle == nullptr || handle->magic != kHandleMagic) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "destroy: bad handle");
  handle->magic = 0;
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

const char* cublasLtGetStatusName(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return "CUBLAS_STATUS_UNKNOWN";
  }
}
const char* cublasLtGetStatusString(cublasStatus_t status) {
  tls_text = cublasLtGetStatusName(status);
  if (status == tls_detail_status && !tls_detail.empty()) tls_text += " [emulated cuBLASLt: " + tls_detail + "]";
  return tls_text.c_str();
}

cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* desc, cublasComputeType_t compute, cudaDataType_t scale) {
  return create(desc, Desc{kDescMagic, compute, scale, CUBLAS_OP_N, CUBLAS_OP_N});
}
cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t desc) {
  return destroy<Desc>(desc, kDescMagic, "matmul descriptor");
}
cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr,
                                              const void* buf, size_t bytes) {
  Desc* d = as<Desc>(desc, kDescMagic);
  if (d == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, "set attribute: bad matmul descriptor");
  if (attr == CUBLASLT_MATMUL_DESC_TRANSA || attr == CUBLASLT_MATMUL_DESC_TRANSB) {
    if (bytes != sizeof(int32_t)) return fail(CUBLAS_STATUS_INVALID_VALUE, "TRANSA/TRANSB take an int32_t");
    cublasOperation_t op;
    std::memcpy(&op, buf, sizeof op);
    if (op != CUBLAS_OP_N && op != CUBLAS_OP_T)
      return fail(CUBLAS_STATUS_NOT_SUPPORTED, "the emulated cuBLASLt transposes with CUBLAS_OP_N or CUBLAS_OP_T");
    (attr == CUBLASLT_MATMUL_DESC_TRANSA ? d->trans_a : d->trans_b) = op;
    return CUBLAS_STATUS_SUCCESS;
  }
  return fail(CUBLAS_STATUS_NOT_SUPPORTED, fmt::format("matmul descriptor attribute {} is not emulated", int(attr)));
}

cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* layout, cudaDataType type, uint64_t rows, uint64_t cols,
                                          int64_t ld) {
  if (type_bytes(type) == 0) return fail(CUBLAS_STATUS_NOT_SUPPORTED, fmt::format("layout type {}", int(type)));
  return create(layout, Layout{kLayoutMagic, type, rows, cols, ld});
}
cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
  return destroy<Layout>(layout, kLayoutMagic, "layout");
}

cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* pref) {
  return create(pref, Pref{kPrefMagic, 0, {256, 256, 256, 256}});
}
cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref) {
  return destroy<Pref>(pref, kPrefMagic, "preference");
}
cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref, cublasLtMatmulPreferenceAttributes_t attr,
                                                    const void* buf, size_t bytes) {
  Pref* p = as<Pref>(pref, kPrefMagic);
  if (p == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, "set attribute: bad preference");
  if (attr == CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES) {
    if (bytes != sizeof(uint64_t)) return fail(CUBLAS_STATUS_INVALID_VALUE, "MAX_WORKSPACE_BYTES takes a uint64_t");
    std::memcpy(&p->max_workspace, buf, sizeof p->max_workspace);
    return CUBLAS_STATUS_SUCCESS;
  }
  if (attr >= CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES && attr <= CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES) {
    if (bytes != sizeof(uint32_t)) return fail(CUBLAS_STATUS_INVALID_VALUE, "MIN_ALIGNMENT_*_BYTES take a uint32_t");
    std::memcpy(&p->align[attr - CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES], buf, sizeof(uint32_t));
    return CUBLAS_STATUS_SUCCESS;
  }
  return fail(CUBLAS_STATUS_NOT_SUPPORTED, fmt::format("preference attribute {} is not emulated", int(attr)));
}

cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t a,
                                              cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
                                              cublasLtMatmulPreference_t pref, int requested,
                                              cublasLtMatmulHeuristicResult_t results[], int* returned) {
  *returned = 0;
  if (handle == nullptr || handle->magic != kHandleMagic) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "heuristic: bad handle");
  const Desc* op = as<Desc>(desc, kDescMagic);
  const Layout *la = as<Layout>(a, kLayoutMagic), *lb = as<Layout>(b, kLayoutMagic), *lc = as<Layout>(c, kLayoutMagic),
               *ld = as<Layout>(d, kLayoutMagic);
  const Pref* p = as<Pref>(pref, kPrefMagic);
  if (op == nullptr || la == nullptr || lb == nullptr || lc == nullptr || ld == nullptr || p == nullptr || requested < 1)
    return fail(CUBLAS_STATUS_INVALID_VALUE, "heuristic: a descriptor, layout or preference is not valid");
  uint64_t m, n, k;
  if (cublasStatus_t s = check_problem(*op, *la, *lb, *lc, *ld, &m, &n, &k); s != CUBLAS_STATUS_SUCCESS) return s;
  // an alignment below one element, or not a power of two, admits no algorithm
  const cudaDataType_t types[4] = {la->type, lb->type, lc->type, ld->type};
  for (int i = 0; i < 4; ++i)
    if (p->align[i] < type_bytes(types[i]) || (p->align[i] & (p->align[i] - 1)) != 0) return CUBLAS_STATUS_SUCCESS;
  cublasLtMatmulHeuristicResult_t& r = results[0];
  std::memset(&r, 0, sizeof r);
  Algo algo{kAlgoMagic, {p->align[0], p->align[1], p->align[2], p->align[3]}, std::min(kAlgoWorkspaceBytes, p->max_workspace)};
  std::memcpy(r.algo.data, &algo, sizeof algo);
  r.workspaceSize = algo.workspace;
  r.state = CUBLAS_STATUS_SUCCESS;
  r.wavesCount = 1.0f;
  *returned = 1;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmul(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, const void* alpha, const void* A,
                              cublasLtMatrixLayout_t a_desc, const void* B, cublasLtMatrixLayout_t b_desc, const void* beta,
                              const void* C, cublasLtMatrixLayout_t c_desc, void* D, cublasLtMatrixLayout_t d_desc,
                              const cublasLtMatmulAlgo_t* algo_in, void* workspace, size_t workspace_bytes,
                              cudaStream_t stream) {
  if (handle == nullptr || handle->magic != kHandleMagic) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "matmul: bad handle");
  const Desc* op = as<Desc>(desc, kDescMagic);
  const Layout *la = as<Layout>(a_desc, kLayoutMagic), *lb = as<Layout>(b_desc, kLayoutMagic),
               *lc = as<Layout>(c_desc, kLayoutMagic), *ld = as<Layout>(d_desc, kLayoutMagic);
  if (op == nullptr || la == nullptr || lb == nullptr || lc == nullptr || ld == nullptr || alpha == nullptr || beta == nullptr)
    return fail(CUBLAS_STATUS_INVALID_VALUE, "matmul: a descriptor, layout or scale pointer is not valid");
  uint64_t m, n, k;
  if (cublasStatus_t s = check_problem(*op, *la, *lb, *lc, *ld, &m, &n, &k); s != CUBLAS_STATUS_SUCCESS) return s;
  if (C == D && std::memcmp(lc, ld, sizeof(Layout)) != 0)
    return fail(CUBLAS_STATUS_INVALID_VALUE, "matmul: in place (C == D) needs identical C and D layouts");
  Algo algo{};
  if (algo_in != nullptr) std::memcpy(&algo, algo_in->data, sizeof algo);
  if (algo_in == nullptr || algo.magic != kAlgoMagic)
    return fail(CUBLAS_STATUS_INVALID_VALUE, "matmul: the algorithm does not come from cublasLtMatmulAlgoGetHeuristic");
  if (workspace_bytes < algo.workspace)
    return fail(CUBLAS_STATUS_INVALID_VALUE, fmt::format("matmul: the algorithm needs {} bytes of workspace, given {}",
                                                         algo.workspace, workspace_bytes));
  const void* ptrs[4] = {A, B, C, D};
  for (int i = 0; i < 4; ++i)
    if (alignment_of(ptrs[i]) < static_cast<int>(algo.align[i]))
      return fail(CUBLAS_STATUS_INVALID_VALUE,
                  fmt::format("matmul: operand {} at {} is {}-byte aligned, but the algorithm was chosen for {}-byte "
                              "alignment (CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_{}_BYTES)",
                              "ABCD"[i], ptrs[i], alignment_of(ptrs[i]), algo.align[i], "ABCD"[i]));
  const float alpha_v = *static_cast<const float*>(alpha), beta_v = *static_cast<const float*>(beta);  // host scalars

  Device& dev = Device::get();
  std::lock_guard lock(dev.mutex);
  if (dsmath::emu::sticky_error() != cudaSuccess) return fail(CUBLAS_STATUS_EXECUTION_FAILED, "the device has faulted");
  StreamState* s = dev.stream(stream);
  if (s == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, "matmul: destroyed or unknown stream");
  Task t;
  t.name = "cublasLtMatmul";
  const Layout* layouts[4] = {la, lb, lc, ld};
  const char* names[4] = {"operand A", "operand B", "operand C", "operand D"};
  for (int i = 0; i < 4; ++i) {
    if (i == 2 && beta_v == 0.0f) continue;  // C is not read
    const uint64_t bytes = extent_bytes(*layouts[i]);
    if (!dev.memory.contains(ptrs[i], bytes))
      return fail(CUBLAS_STATUS_INVALID_VALUE, fmt::format("matmul: {} ({} x {}, ld {}, {} bytes at {}) is not inside one "
                                                           "device allocation",
                                                           names[i], layouts[i]->rows, layouts[i]->cols, layouts[i]->ld,
                                                           bytes, ptrs[i]));
    t.footprints.push_back(Footprint{ptrs[i], bytes, i == 3, names[i]});
  }
  if (algo.workspace > 0) {
    if (!dev.memory.contains(workspace, algo.workspace))
      return fail(CUBLAS_STATUS_INVALID_VALUE, "matmul: the workspace is not inside one device allocation");
    t.footprints.push_back(Footprint{workspace, algo.workspace, true, "its workspace"});
  }
  const Desc o = *op;
  const Layout A_l = *la, B_l = *lb, C_l = *lc, D_l = *ld;
  t.run = [=] {
    for (uint64_t j = 0; j < n; ++j)
      for (uint64_t i = 0; i < m; ++i) {
        float acc = 0.0f;
        for (uint64_t p = 0; p < k; ++p) {
          const int64_t ai = o.trans_a == CUBLAS_OP_N ? int64_t(i + p * A_l.ld) : int64_t(p + i * A_l.ld);
          const int64_t bi = o.trans_b == CUBLAS_OP_N ? int64_t(p + j * B_l.ld) : int64_t(j + p * B_l.ld);
          acc = fmaf(load(A, A_l.type, ai), load(B, B_l.type, bi), acc);
        }
        float v = alpha_v * acc;
        if (beta_v != 0.0f) v = fmaf(beta_v, load(C, C_l.type, int64_t(i + j * C_l.ld)), v);
        store(D, D_l.type, int64_t(i + j * D_l.ld), v);
      }
  };
  if (dev.enqueue(s, std::move(t)) != cudaSuccess)
    return fail(CUBLAS_STATUS_EXECUTION_FAILED, dsmath::emu::error_string(dsmath::emu::sticky_error()));
  return CUBLAS_STATUS_SUCCESS;
}

}  // extern "C"
