#include "backend/transfer.hpp"

#include <algorithm>

namespace dsmath {

namespace {
constexpr int64_t kStagingElements = int64_t{1} << 24;
}

void upload_f32(Backend& backend, Tensor dst, std::span<const float> host) {
  const auto n = static_cast<int64_t>(host.size());
  if (dst.dtype == DType::f32) {
    backend.upload(dst.data, host.data(), host.size_bytes());
    return;
  }
  Buffer staging = backend.allocate(static_cast<size_t>(std::min(n, kStagingElements)) * sizeof(float));
  for (int64_t i = 0; i < n; i += kStagingElements) {
    const int64_t k = std::min(kStagingElements, n - i);
    backend.upload(staging.data(), host.data() + i, static_cast<size_t>(k) * sizeof(float));
    backend.convert(dst.offset(i), staging.tensor(DType::f32), k);
  }
}

void download_f32(Backend& backend, Tensor src, std::span<float> host) {
  const auto n = static_cast<int64_t>(host.size());
  if (src.dtype == DType::f32) {
    backend.download(host.data(), src.data, host.size_bytes());
    return;
  }
  Buffer staging = backend.allocate(static_cast<size_t>(std::min(n, kStagingElements)) * sizeof(float));
  for (int64_t i = 0; i < n; i += kStagingElements) {
    const int64_t k = std::min(kStagingElements, n - i);
    backend.convert(staging.tensor(DType::f32), src.offset(i), k);
    backend.download(host.data() + i, staging.data(), static_cast<size_t>(k) * sizeof(float));
  }
}

}  // namespace dsmath
