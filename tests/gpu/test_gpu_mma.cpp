// The tensor-core wrappers of cuda/mma.cuh (mma.sync m16n8k16, ldmatrix with and without .trans,
// cp.async): a 16 x 16 x 16 product on one warp against the host's, with the operands fetched
// each way the kernels fetch them. On a GPU this checks our reading of the PTX ISA's fragment
// layouts against the hardware; on the emulated GPU, the kernels against that reading.
#include <catch2/catch.hpp>

#include <cstring>

#include "cuda/cuda_backend.hpp"
#include "gpu_test_util.hpp"
#include "mma_kernels.cuh"

using namespace dsmath;
using namespace dsmath::test;

namespace {
cudaStream_t stream_of(Backend& b) { return dynamic_cast<cuda::CudaBackend&>(b).stream(); }
}  // namespace

TEST_CASE("gpu mma m16n8k16 with ldmatrix and cp.async computes A B + C", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  // small integers and halves: every product and partial sum is exact in fp32, so any layout
  // mistake shows as a wrong element, never as rounding
  std::vector<float> a(256), b(256), bt(256), c(256);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      a[i * 16 + j] = static_cast<float>((i * 7 + j * 3) % 11 - 5) * 0.5f;
      b[i * 16 + j] = static_cast<float>((i * 5 + j * 13) % 9 - 4);
      c[i * 16 + j] = static_cast<float>(i * 16 + j) * 0.25f;
    }
  for (int k = 0; k < 16; ++k)
    for (int n = 0; n < 16; ++n) bt[n * 16 + k] = b[k * 16 + n];
  std::vector<float> want(256);
  for (int i = 0; i < 16; ++i)
    for (int n = 0; n < 16; ++n) {
      double s = c[i * 16 + n];
      for (int k = 0; k < 16; ++k) s += double(a[i * 16 + k]) * b[k * 16 + n];
      want[i * 16 + n] = static_cast<float>(s);
    }
  Buffer da = to_device(*gpu, a, DType::bf16), db = to_device(*gpu, b, DType::bf16),
         dbt = to_device(*gpu, bt, DType::bf16), dc = to_device(*gpu, c, DType::f32), dd = gpu->allocate(256 * 4);
  using mma_kernels::Operands;
  for (Operands how : {Operands::ldmatrix, Operands::ldmatrix_trans, Operands::registers}) {
    CAPTURE(static_cast<int>(how));
    const Buffer& bop = how == Operands::ldmatrix ? dbt : db;
    mma_kernels::product(static_cast<float*>(dd.data()), da.data(), bop.data(), static_cast<const float*>(dc.data()), how,
                         stream_of(*gpu));
    const std::vector<float> got = to_host(*gpu, dd, 256, DType::f32);
    int wrong = 0;
    for (int i = 0; i < 256; ++i) wrong += got[static_cast<size_t>(i)] != want[static_cast<size_t>(i)];
    CHECK(wrong == 0);
  }
}

#ifdef DSMATH_CUDA_EMULATION
TEST_CASE("emulated GPU: a cp.async destination read before its wait holds undefined bytes", "[gpu]") {
  auto gpu = make_gpu();
  std::vector<int32_t> words(16);
  for (int i = 0; i < 16; ++i) words[static_cast<size_t>(i)] = 0x01020304 * (i + 1);
  Buffer src = to_device(*gpu, words), out = gpu->allocate(128);
  mma_kernels::read_before_wait(static_cast<unsigned char*>(out.data()), static_cast<const unsigned char*>(src.data()),
                                stream_of(*gpu));
  std::vector<unsigned char> got(128);
  gpu->download(got.data(), out.data(), 128);
  std::vector<unsigned char> expected(64);
  std::memcpy(expected.data(), words.data(), 64);
  CHECK(std::vector<unsigned char>(got.begin(), got.begin() + 64) == std::vector<unsigned char>(64, 0xff));
  CHECK(std::vector<unsigned char>(got.begin() + 64, got.end()) == expected);
}
#endif
