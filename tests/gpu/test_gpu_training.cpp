// The CUDA backend end to end: a tiny model's first training steps against the CPU backend,
// an interrupted GPU run resuming bit for bit, the one-rank NCCL communicator, and the
// backend's bookkeeping (memory, peak, description).
#include <catch2/catch.hpp>

#include <fstream>

#include "config/load.hpp"
#include "core/files.hpp"
#include "dist/nccl_bridge.hpp"
#include "gpu_test_util.hpp"
#include "train/pretrain.hpp"
#include "train/pretrain_fixture.hpp"

using namespace dsmath;
using namespace dsmath::test;
using Catch::Contains;


TEST_CASE("gpu: the tiny model's first 10 training steps match the CPU backend's losses", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto dir = temp_dir("gpu_vs_cpu");
  const auto cfg_path = tiny_pretrain_config(dir, repetitive_shard(dir));
  std::vector<std::vector<Json>> metrics;
  for (const char* device : {"cpu", "cuda"}) {
    std::vector<std::string> overrides = gpu_fixture_shape();
    overrides.insert(overrides.end(), {std::string("runtime.device=") + device, "train.max_steps=10", "checkpoint.every_steps=0"});
    auto cfg = config::load_config<PretrainConfig>({cfg_path, overrides});
    run_pretrain(cfg, {dir / device, false});
    metrics.push_back(read_metrics(dir / device));
  }
  REQUIRE(metrics[0].size() == 10);
  REQUIRE(metrics[1].size() == 10);
  // bf16 keeps 8 significant bits (relative rounding 2^-9). The loss is a mean of per-token
  // log-probs computed from bf16 weights and activations, so it moves by a fraction of that;
  // two bf16 ulps of the loss (2^-7 relative) leave room for ten steps of drift while any
  // real error (a wrong gradient, a lost update) shows within a few steps.
  for (size_t i = 0; i < 10; ++i) {
    const double cpu = metrics[0][i]["loss"].get<double>(), gpu = metrics[1][i]["loss"].get<double>();
    INFO("step " << i + 1 << ": cpu loss " << cpu << ", gpu loss " << gpu);
    CHECK(std::fabs(gpu - cpu) <= 0x1p-7 * std::fabs(cpu));
    CHECK(metrics[1][i]["grad_norm"].get<double>() == Approx(metrics[0][i]["grad_norm"].get<double>()).epsilon(0.05));
  }
  CHECK(metrics[1].back()["loss"].get<double>() < metrics[1].front()["loss"].get<double>());
}

TEST_CASE("gpu: a killed GPU run resumes to exactly the uninterrupted result", "[gpu][cli]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto dir = temp_dir("gpu_resume");
  const auto cfg = tiny_pretrain_config(dir, repetitive_shard(dir));
  for (const char* state : {"f32", "bf16"}) {
    CAPTURE(state);
    const std::string common = "pretrain --config " + cfg.string() +
                               " --set runtime.device=cuda --set train.max_steps=6 --set checkpoint.every_steps=2"
                               " --set optim.state_dtype=" +
                               state + as_set_flags(gpu_fixture_shape());
    const auto straight_dir = dir / (std::string("straight-") + state), resumed_dir = dir / (std::string("resumed-") + state);
    auto straight = run_dsmath(common + " --run-dir " + straight_dir.string());
    REQUIRE(straight.exit_code == 0);
    CHECK_THAT(straight.output, Contains("backend: cuda"));
    auto killed = run_command("DSMATH_FAULT_INJECT=kill_after_step:3 " + dsmath_binary() + " " + common +
                              " --run-dir " + resumed_dir.string());
    CHECK(killed.exit_code == 128 + 9);
    auto resumed = run_dsmath(common + " --run-dir " + resumed_dir.string() + " --resume");
    REQUIRE(resumed.exit_code == 0);
    auto a = read_metrics(straight_dir), b = read_metrics(resumed_dir);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i]["loss"].get<double>() == b[i]["loss"].get<double>());
      CHECK(a[i]["grad_norm"].get<double>() == b[i]["grad_norm"].get<double>());
    }
    const auto final_a = straight_dir / "checkpoints" / "step-0000006", final_b = resumed_dir / "checkpoints" / "step-0000006";
    CHECK(read_file(final_a / "model.safetensors") == read_file(final_b / "model.safetensors"));
    CHECK(read_file(final_a / "optimizer-rank0.safetensors") == read_file(final_b / "optimizer-rank0.safetensors"));
  }
}

TEST_CASE("gpu: a one-rank NCCL communicator works without MPI", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  auto comm = nccl_bridge::create(std::make_unique<SingleProcessCommunicator>(), *gpu, 60.0);
  CHECK(comm->world_size() == 1);
  CHECK(comm->rank() == 0);
  CHECK_THAT(comm->name(), Contains("NCCL"));
  const auto x = random_bf16(1000, 50);
  for (DType t : {DType::f32, DType::bf16}) {
    Buffer d = to_device(*gpu, x, t);
    comm->allreduce_sum(d.tensor(t), 1000);  // the sum over one rank is the value itself
    CHECK(to_host(*gpu, d, x.size(), t) == x);
    comm->reduce_scatter_sum(d.tensor(t), 1000);  // one shard of 1000
    comm->all_gather(d.tensor(t), 1000);
    CHECK(to_host(*gpu, d, x.size(), t) == x);
  }
  // the overlapped path (side stream ordered after the compute stream by an event): the
  // reductions see what the compute stream wrote just before, and wait_all completes them
  for (DType t : {DType::f32, DType::bf16}) {
    Buffer d = to_device(*gpu, x, t);
    gpu->scale(d.tensor(t), 1000, 2.0f);  // queued on the compute stream, not yet waited for
    comm->allreduce_sum_async(d.tensor(t), 600);
    const std::vector<int64_t> ranges{600, 1000};
    comm->reduce_to_owners_async(d.tensor(t), ranges);
    comm->wait_all();
    comm->wait_all();  // nothing pending: returns at once
    std::vector<float> doubled = x;
    for (float& v : doubled) v *= 2.0f;
    CHECK(to_host(*gpu, d, x.size(), t) == doubled);
  }
  double values[2] = {1.5, 2.5};
  comm->allreduce_sum(std::span<double>(values, 2));
  CHECK(values[1] == 2.5);
  comm->barrier();
  // NCCL on the CPU backend is refused with a clear message
  CpuBackend cpu(1);
  CHECK_THROWS_WITH(nccl_bridge::create(std::make_unique<SingleProcessCommunicator>(), cpu, 60.0),
                    Contains("need the CUDA backend"));
}

TEST_CASE("gpu backend bookkeeping of memory and MFU peak and description and dtype errors", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  CHECK(gpu->kind() == DeviceKind::cuda);
  CHECK(gpu->compute_dtype() == DType::bf16);
  CHECK(gpu->grad_dtype() == DType::f32);
  CHECK(gpu->peak_flops() > 1e13);
  CHECK_THAT(gpu->description(), Contains("cuda:") && Contains("bf16"));
  const size_t before = gpu->memory_in_use();
  {
    Buffer big = gpu->allocate(size_t{64} << 20);
    CHECK(gpu->memory_in_use() >= before + (size_t{64} << 20));
  }
  CHECK(gpu->memory_in_use() == before);
  Buffer f = gpu->allocate(1024);
  CHECK_THROWS_WITH(gpu->swiglu_forward(f.tensor(DType::f32), f.tensor(DType::bf16), 1, 4),
                    Contains("swiglu_forward: out is f32, expected bf16"));
}
