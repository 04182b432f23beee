#pragma once
// Whole-model gradient checks: the analytic gradient of some loss against central differences
// over a few entries of every parameter tensor.
#include <functional>
#include <vector>

#include "gradcheck.hpp"
#include "model/transformer.hpp"

namespace dsmath::test {

// `loss()` evaluates the model at its current parameters; `params` are the values the analytic
// `grads` were taken at.
inline double model_gradient_error(Transformer& m, std::vector<float> params, const std::vector<float>& grads,
                                   const std::function<double()>& loss, int per_tensor, uint64_t seed, double h = 1e-2) {
  std::vector<size_t> idx;
  Rng rng(seed);
  for (const auto& t : m.layout().tensors())
    for (int k = 0; k < per_tensor; ++k) idx.push_back(static_cast<size_t>(t.offset + static_cast<int64_t>(rng.below(t.numel))));
  auto at_params = [&] {
    m.set_parameters(params);
    return loss();
  };
  return relative_error(pick<float>(grads, idx), numerical_gradient(params, at_params, h, idx));
}

}  // namespace dsmath::test
