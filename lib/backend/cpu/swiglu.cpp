// SwiGLU (Shazeer 2020): out = silu(gate) * up, silu(g) = g * sigmoid(g).
// d/dgate = dout * up * sigmoid(g) * (1 + g * (1 - sigmoid(g))), d/dup = dout * silu(g).
#include <cmath>

#include "backend/cpu/cpu_ops.hpp"

namespace dsmath::cpu {

void swiglu_forward(float* out, const float* gate_up, int64_t rows, int ffn) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* g = gate_up + r * 2 * ffn;
    const float* u = g + ffn;
    float* o = out + r * ffn;
    for (int i = 0; i < ffn; ++i) {
      const float sig = 1.0f / (1.0f + std::exp(-g[i]));
      o[i] = g[i] * sig * u[i];
    }
  }
}

void swiglu_backward(float* dgate_up, const float* dout, const float* gate_up, int64_t rows, int ffn) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* g = gate_up + r * 2 * ffn;
    const float* u = g + ffn;
    const float* d = dout + r * ffn;
    float* dg = dgate_up + r * 2 * ffn;
    float* du = dg + ffn;
    for (int i = 0; i < ffn; ++i) {
      const float sig = 1.0f / (1.0f + std::exp(-g[i]));
      const float silu = g[i] * sig;
      dg[i] = d[i] * u[i] * sig * (1.0f + g[i] * (1.0f - sig));
      du[i] = d[i] * silu;
    }
  }
}

}  // namespace dsmath::cpu
