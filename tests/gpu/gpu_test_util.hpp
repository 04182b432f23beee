#pragma once
// Helpers of the GPU tier: skipping without a GPU, moving host vectors to and from a backend
// in a given dtype, bf16 rounding on the host, and the accuracy criterion.
//
// Accuracy criterion (as flash-attention's tests): the CPU twin, run in fp32 on the same
// bf16-rounded inputs, is the reference. A naive implementation in the GPU's precision (bf16
// storage of every tensor an eager framework would materialize, fp32 accumulation) measures
// how far bf16 alone moves a result from it; the CUDA op must stay within twice that, plus a
// small absolute floor for results the naive version happens to get exactly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "backend/cpu/cpu_backend.hpp"
#include "backend/create.hpp"
#include "backend/cuda_bridge.hpp"
#include "core/bf16.hpp"
#include "gradcheck.hpp"
#include "test_util.hpp"

namespace dsmath::test {

inline bool gpu_available() { return cuda_device_count() > 0; }

#define DSMATH_SKIP_WITHOUT_GPU()                                                                     \
  do {                                                                                               \
    if (!::dsmath::test::gpu_available()) {                                                          \
      WARN("skipped: no GPU (" + ::dsmath::cuda_bridge::no_device_reason() + ")");                    \
      SUCCEED();                                                                                     \
      return;                                                                                        \
    }                                                                                                \
  } while (0)

// Overrides of the training fixture (tests/train/pretrain_fixture.hpp) for the GPU tier: head_dim
// 16 (the fixture's 8 is below the smallest flash-attention head), grouped-query attention, and a
// vocabulary and a sequence length that are not multiples of the kernels' tiles (64 rows,
// 16-wide fragments, 8-element vectors).
inline std::vector<std::string> gpu_fixture_shape() {
  return {"model.n_heads=2", "model.n_kv_heads=1", "model.vocab_size=67", "data.seq_len=40"};
}
// The same as `--set` flags of the dsmath command line.
inline std::string as_set_flags(const std::vector<std::string>& overrides) {
  std::string flags;
  for (const auto& o : overrides) flags += " --set " + o;
  return flags;
}

inline std::unique_ptr<Backend> make_gpu() { return create_backend({"cuda", 0, -1}); }

inline float round_bf16(float x) { return bf16_bits_to_float(float_to_bf16_bits(x)); }
inline std::vector<float> round_bf16(std::vector<float> v) {
  for (float& x : v) x = round_bf16(x);
  return v;
}
// random normal values already representable in bf16 (the inputs both backends see)
inline std::vector<float> random_bf16(size_t n, uint64_t seed, float scale = 1.0f) {
  return round_bf16(random_vector(n, seed, scale));
}

// Host values in backend memory of dtype `t` (f32, bf16 or i32 as given).
inline Buffer to_device(Backend& b, const std::vector<float>& host, DType t) {
  Buffer buf = b.allocate(std::max<size_t>(1, host.size()) * dtype_size(t));
  if (t == DType::f32) {
    b.upload(buf.data(), host.data(), host.size() * 4);
  } else {
    std::vector<uint16_t> bits(host.size());
    for (size_t i = 0; i < host.size(); ++i) bits[i] = float_to_bf16_bits(host[i]);
    b.upload(buf.data(), bits.data(), bits.size() * 2);
  }
  return buf;
}
inline Buffer to_device(Backend& b, const std::vector<int32_t>& host) {
  Buffer buf = b.allocate(std::max<size_t>(1, host.size()) * 4);
  b.upload(buf.data(), host.data(), host.size() * 4);
  return buf;
}
inline std::vector<float> to_host(Backend& b, const Buffer& buf, size_t n, DType t) {
  std::vector<float> out(n);
  if (t == DType::f32) {
    b.download(out.data(), buf.data(), n * 4);
  } else {
    std::vector<uint16_t> bits(n);
    b.download(bits.data(), buf.data(), n * 2);
    for (size_t i = 0; i < n; ++i) out[i] = bf16_bits_to_float(bits[i]);
  }
  return out;
}

// NaN when either side has a NaN (test::worse keeps it), which fails every bound.
inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = worse(m, std::fabs(static_cast<double>(a[i]) - b[i]));
  return m;
}
inline double max_abs(const std::vector<float>& a) {
  double m = 0;
  for (float x : a) m = std::max(m, std::fabs(static_cast<double>(x)));
  return m;
}

// The GPU result is within twice the naive same-precision error of the fp32 reference, plus
// floor_rel * max|reference|.
inline void check_accuracy(const std::string& what, const std::vector<float>& gpu, const std::vector<float>& naive,
                           const std::vector<float>& reference, double floor_rel = 1e-5) {
  const double err_gpu = max_abs_diff(gpu, reference), err_naive = max_abs_diff(naive, reference);
  const double bound = 2 * err_naive + floor_rel * max_abs(reference);
  INFO(what << ": max |gpu - fp32 twin| = " << err_gpu << ", max |naive bf16 - fp32 twin| = " << err_naive
            << ", bound " << bound);
  CHECK(err_gpu <= bound);
}

// Relative L2 error, for f32 results that differ only by summation order.
inline double relative_l2(const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<double> x(a.begin(), a.end()), y(b.begin(), b.end());
  return relative_error(x, y);
}

}  // namespace dsmath::test
