// RMSNorm (Zhang & Sennrich 2019) as in LLaMA: y = x / sqrt(mean(x^2) + eps) * w.
// Backward, with r = rstd: dx_j = r w_j dy_j - r^3 x_j / D * sum_i dy_i w_i x_i;
// dw_i = sum_rows dy_i x_i r.
#include <algorithm>
#include <cmath>

#include "backend/cpu/cpu_ops.hpp"

namespace dsmath::cpu {

void rmsnorm_forward(float* out, float* rstd, const float* in, const float* weight, int64_t rows, int dim, float eps) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * dim;
    float* y = out + r * dim;
    double ss = 0.0;
    for (int i = 0; i < dim; ++i) ss += static_cast<double>(x[i]) * x[i];
    const float rs = static_cast<float>(1.0 / std::sqrt(ss / dim + eps));
    rstd[r] = rs;
    for (int i = 0; i < dim; ++i) y[i] = x[i] * rs * weight[i];
  }
}

void rmsnorm_backward(float* din, float* dweight, const float* dout, const float* in, const float* weight,
                      const float* rstd, int64_t rows, int dim) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * dim;
    const float* dy = dout + r * dim;
    float* dx = din + r * dim;
    const double rs = rstd[r];
    double dot = 0.0;
    for (int i = 0; i < dim; ++i) dot += static_cast<double>(dy[i]) * weight[i] * x[i];
    const double coeff = rs * rs * rs * dot / dim;
    for (int i = 0; i < dim; ++i) dx[i] += static_cast<float>(rs * weight[i] * dy[i] - coeff * x[i]);
  }
  // weight gradient: threads own column slices, rows summed in order (deterministic)
  constexpr int kSlice = 64;
  const int n_slices = (dim + kSlice - 1) / kSlice;
#pragma omp parallel for schedule(static)
  for (int s = 0; s < n_slices; ++s) {
    const int c0 = s * kSlice, c1 = std::min(dim, c0 + kSlice);
    for (int64_t r = 0; r < rows; ++r) {
      const float* x = in + r * dim;
      const float* dy = dout + r * dim;
      const float rs = rstd[r];
      for (int c = c0; c < c1; ++c) dweight[c] += dy[c] * x[c] * rs;
    }
  }
}

}  // namespace dsmath::cpu
