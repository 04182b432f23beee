#include <catch2/catch.hpp>

#include "backend/cpu/cpu_backend.hpp"
#include "config/load.hpp"
#include "core/error.hpp"
#include "optim/adamw.hpp"
#include "optim/optim_config.hpp"
#include "tiny_model_config.hpp"

using namespace dsmath;

namespace {
ModelConfig tiny_model() { return test::model_shape(8, 4, 1, 2, 2, 6); }
}  // namespace

TEST_CASE("constant schedule with warmup", "[optim]") {
  OptimConfig c;
  c.lr_peak = 1e-3;
  c.warmup_steps = 4;
  CHECK(learning_rate(c, 1, 100) == Approx(2.5e-4));
  CHECK(learning_rate(c, 4, 100) == Approx(1e-3));
  CHECK(learning_rate(c, 50, 100) == Approx(1e-3));
}

TEST_CASE("cosine schedule decays from the peak to lr_min_ratio * peak", "[optim]") {
  OptimConfig c;
  c.lr_peak = 1.0;
  c.schedule = LrSchedule::cosine;
  c.warmup_steps = 10;
  c.lr_min_ratio = 0.1;
  CHECK(learning_rate(c, 10, 110) == Approx(1.0));
  // halfway through the decay (step 60 of 10..110): min + (peak - min) / 2
  CHECK(learning_rate(c, 60, 110) == Approx(0.55));
  CHECK(learning_rate(c, 110, 110) == Approx(0.1));
}

TEST_CASE("multistep schedule is the paper's: x0.316 after 80%, x0.1 after 90%", "[optim]") {
  OptimConfig c;
  c.lr_peak = 4.2e-4;
  c.schedule = LrSchedule::multistep;
  c.warmup_steps = 2000;
  const int64_t total = 50000;
  CHECK(learning_rate(c, 1000, total) == Approx(2.1e-4));
  CHECK(learning_rate(c, 40000, total) == Approx(4.2e-4));
  CHECK(learning_rate(c, 40001, total) == Approx(4.2e-4 * 0.316));
  CHECK(learning_rate(c, 45000, total) == Approx(4.2e-4 * 0.316));
  CHECK(learning_rate(c, 45001, total) == Approx(4.2e-5));
}

TEST_CASE("AdamW decays matrices but not norm weights", "[optim]") {
  CpuBackend backend(1);
  ParameterLayout layout(tiny_model());
  OptimConfig oc;
  oc.weight_decay = 0.5;
  AdamW opt(backend, layout, oc, 0, layout.total());
  std::vector<float> params(static_cast<size_t>(layout.total()), 1.0f), grads(params.size(), 0.0f);
  opt.step(Tensor::f32(params.data()), Tensor::f32(grads.data()), 0.1f, 1.0f);
  // zero gradients: only decoupled decay acts, p *= 1 - lr * wd = 0.95 on decayed tensors
  CHECK(params[static_cast<size_t>(layout.get("model.layers.0.self_attn.q_proj.weight").offset)] == Approx(0.95f));
  CHECK(params[static_cast<size_t>(layout.get("model.layers.0.input_layernorm.weight").offset)] == 1.0f);
  CHECK(params[static_cast<size_t>(layout.get("model.norm.weight").offset)] == 1.0f);
  CHECK(params[static_cast<size_t>(layout.get("lm_head.weight").offset)] == Approx(0.95f));
  CHECK(opt.steps_taken() == 1);
}

TEST_CASE("AdamW moment precision is f32 by default and bf16 only on the CUDA backend", "[optim]") {
  CpuBackend backend(1);
  ParameterLayout layout(tiny_model());
  const auto n = static_cast<size_t>(layout.total());
  OptimConfig oc;
  CHECK(oc.state_dtype == "f32");
  AdamW plain(backend, layout, oc, 0, layout.total());
  CHECK(plain.state_dtype() == DType::f32);
  CHECK(plain.state_bytes() == 2 * n * 4);  // m, v
  AdamW mixed(backend, layout, oc, 0, layout.total(), DType::bf16);
  CHECK(mixed.state_bytes() == 3 * n * 4);  // m, v, fp32 master
  // moments round-trip through the host unchanged (checkpoints)
  std::vector<float> m(n, 0.25f), v(n, 0.5f);
  plain.set_state(m, v);
  CHECK(plain.get_m() == m);
  CHECK(plain.get_v() == v);
  oc.state_dtype = "bf16";
  try {
    AdamW refused(backend, layout, oc, 0, layout.total());
    FAIL("bf16 moments accepted on the CPU backend");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("optim.state_dtype bf16 needs the CUDA backend"));
    CHECK_THAT(e.hint(), Catch::Contains("state_dtype=f32"));
  }
  CHECK_THROWS_WITH(config::load_config<OptimConfig>({std::nullopt, {"state_dtype=f16"}}), Catch::Contains("state_dtype"));
  CHECK(config::load_config<OptimConfig>({std::nullopt, {"state_dtype=bf16"}}).state_dtype == "bf16");
}
