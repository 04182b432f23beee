// Global-norm gradient clipping, by hand-worked numbers: the factor itself, and that the
// trainer applies it to the gradients the optimizer sees. AdamW hides a wrong factor (its
// update is nearly invariant to the gradient's scale), so the check reads AdamW's first moment,
// which with beta1 = 0 is exactly the scaled gradient.
#include <catch2/catch.hpp>

#include <vector>

#include "backend/cpu/cpu_backend.hpp"
#include "tiny_model_config.hpp"
#include "train/trainer.hpp"

using namespace dsmath;

TEST_CASE("clip factor: grad_clip / (norm + 1e-6) above the limit, 1 at or below it and when off", "[train]") {
  // 1 / 5.000001 = 0.19999996000000800; 1.5 / 3.000001 = 0.49999983333338889
  CHECK(clip_factor(5.0, 1.0) == Approx(0.199999960000008).epsilon(1e-7));
  CHECK(clip_factor(3.0, 1.5) == Approx(0.499999833333389).epsilon(1e-7));
  CHECK(clip_factor(0.5, 1.0) == 1.0f);
  CHECK(clip_factor(1.0, 1.0) == 1.0f);    // at the limit: not clipped
  CHECK(clip_factor(100.0, 0.0) == 1.0f);  // grad_clip 0: clipping off
}

TEST_CASE("the trainer hands AdamW the gradient times the clip factor", "[train]") {
  CpuBackend backend(1);
  SingleProcessCommunicator comm;
  Transformer model(test::model_shape(16, 8, 1, 2, 1, 16), backend);
  model.init_parameters(1);
  const int64_t n = model.num_params();
  // a gradient of norm 5 exactly: 3 in the first slot, -4 in the last, 0 elsewhere
  std::vector<float> g(static_cast<size_t>(n), 0.0f);
  g.front() = 3.0f;
  g.back() = -4.0f;
  struct Case {
    double grad_clip;
    float factor;  // hand-worked, as the float the optimizer multiplies by
  };
  for (const Case& c : {Case{1.0, 0.19999996f}, Case{2.5, 0.49999990f}, Case{5.0, 1.0f}, Case{10.0, 1.0f},
                        Case{0.0, 1.0f}}) {
    INFO("grad_clip " << c.grad_clip);
    OptimConfig optim;
    optim.grad_clip = c.grad_clip;
    optim.beta1 = 0;  // m = (1 - beta1) g' = g' after one step: the scaled gradient itself
    optim.lr_peak = 1e-3;
    Trainer trainer(model, comm, optim, TrainConfig{}, DistConfig{}, 1);
    trainer.begin_step();
    backend.upload(model.grads().data, g.data(), g.size() * sizeof(float));
    const StepStats s = trainer.finish_step();
    CHECK(s.grad_norm == 5.0);  // reported before clipping
    const std::vector<float> m = trainer.optimizer().get_m();
    REQUIRE(static_cast<int64_t>(m.size()) == n);
    CHECK(m.front() == Approx(3.0 * c.factor).epsilon(1e-7));
    CHECK(m.back() == Approx(-4.0 * c.factor).epsilon(1e-7));
    CHECK(m[static_cast<size_t>(n / 2)] == 0.0f);
  }
}
