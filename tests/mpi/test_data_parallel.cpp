// Data parallelism on the CPU backend, through the real binary under mpirun.
#include <catch2/catch.hpp>

#include <fstream>

#include "../train/pretrain_fixture.hpp"
#include "core/files.hpp"
#include "core/json.hpp"
#include "io/checkpoint_store.hpp"
#include "io/safetensors.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
std::vector<float> final_weights(const fs::path& run, int step) {
  SafetensorsReader r(run / "checkpoints" / CheckpointStore::step_name(step) / "model.safetensors");
  std::vector<float> all;
  for (const auto& e : r.entries()) {
    auto v = r.read_f32(e.name);
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

double max_relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = test::worse(worst, std::fabs(double(a[i]) - b[i]) / std::max(1e-3, std::fabs(double(a[i]))));
  return worst;
}

test::CommandResult mpi_run(int ranks, const std::string& args, const std::string& env = "") {
  return test::run_command(env + " " + DSMATH_MPIRUN + " -np " + std::to_string(ranks) + " " + DSMATH_BINARY + " " + args);
}

struct Fixture {
  fs::path dir;
  std::string base;
  explicit Fixture(const std::string& name) : dir(test::temp_dir(name)) {
    auto cfg = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
    base = "pretrain --config " + cfg.string() + " --set runtime.threads=1 --set train.max_steps=6 --set checkpoint.every_steps=2";
  }
};
}  // namespace

TEST_CASE("two ranks with micro-batch B train like one rank with 2B, with and without ZeRO-1", "[mpi]") {
  Fixture f("mpi_equivalence");
  // AdamW's update barely changes when every gradient is scaled by the same factor, and
  // clipping rescales the gradient to the clip norm, so neither the weights nor a clipped run
  // would show gradients summed over ranks without the global 1/N. The gradient norm does,
  // measured where clipping never fires (checked below).
  const double clip = 50;
  const std::string base = f.base + " --set optim.grad_clip=" + std::to_string(clip);
  auto one = test::run_dsmath(base + " --set train.micro_batch_size=8 --run-dir " + (f.dir / "one").string());
  REQUIRE(one.exit_code == 0);
  for (const char* zero : {"false", "true"}) {
    const auto run = f.dir / (std::string("two-zero1-") + zero);
    auto two = mpi_run(2, base + " --set train.micro_batch_size=4 --set dist.zero1=" + zero + " --run-dir " + run.string());
    INFO(two.output);
    REQUIRE(two.exit_code == 0);
    CHECK_THAT(two.output, Contains("MPI (2 ranks)"));
    auto a = test::read_metrics(f.dir / "one"), b = test::read_metrics(run);
    REQUIRE(a.size() == 6);
    REQUIRE(b.size() == 6);
    for (size_t i = 0; i < a.size(); ++i) {
      INFO("step " << i + 1);
      CHECK(b[i]["loss"].get<double>() == Approx(a[i]["loss"].get<double>()).epsilon(1e-5));
      CHECK(b[i]["grad_norm"].get<double>() == Approx(a[i]["grad_norm"].get<double>()).epsilon(1e-5));
      CHECK(a[i]["grad_norm"].get<double>() < clip);  // unclipped: a wrong scale would reach the weights unmasked
      CHECK(a[i]["grad_norm"].get<double>() > 1e-3);  // and not vanishing, so a factor 2 is far outside epsilon
    }
    CHECK(max_relative_difference(final_weights(f.dir / "one", 6), final_weights(run, 6)) < 1e-3);
    // ZeRO-1: every rank writes its shard of the optimizer state; otherwise rank 0 writes it all
    CHECK(fs::exists(run / "checkpoints" / "step-0000006" / "optimizer-rank0.safetensors"));
    CHECK(fs::exists(run / "checkpoints" / "step-0000006" / "optimizer-rank1.safetensors") == (std::string(zero) == "true"));
  }
}

TEST_CASE("kill a rank and resume, and resume with a different world size", "[mpi]") {
  Fixture f("mpi_resume");
  const std::string two = f.base + " --set train.micro_batch_size=4 --set dist.zero1=true";
  auto straight = mpi_run(2, two + " --run-dir " + (f.dir / "straight").string());
  REQUIRE(straight.exit_code == 0);

  // rank 1 dies after step 3: the job fails, the step-2 checkpoint survives, resume is exact
  const auto killed_run = f.dir / "killed";
  auto killed = mpi_run(2, two + " --run-dir " + killed_run.string(), "DSMATH_FAULT_INJECT=kill_after_step:3@rank1");
  CHECK(killed.exit_code != 0);
  CHECK(fs::exists(killed_run / "checkpoints" / "step-0000002"));
  auto resumed = mpi_run(2, two + " --resume --run-dir " + killed_run.string());
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(read_file(f.dir / "straight" / "checkpoints" / "step-0000006" / "model.safetensors") ==
        read_file(killed_run / "checkpoints" / "step-0000006" / "model.safetensors"));

  // 2 ranks -> 1 rank: the optimizer shards are re-partitioned on load
  const auto shrink = f.dir / "shrink";
  REQUIRE(mpi_run(2, two + " --set train.max_steps=2 --run-dir " + shrink.string()).exit_code == 0);
  auto one = test::run_dsmath(f.base + " --set train.micro_batch_size=8 --resume --run-dir " + shrink.string());
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  CHECK(max_relative_difference(final_weights(f.dir / "straight", 6), final_weights(shrink, 6)) < 1e-3);
  // 1 rank -> 2 ranks
  const auto grow = f.dir / "grow";
  REQUIRE(test::run_dsmath(f.base + " --set train.micro_batch_size=8 --set train.max_steps=2 --run-dir " + grow.string()).exit_code == 0);
  auto grown = mpi_run(2, two + " --resume --run-dir " + grow.string());
  INFO(grown.output);
  REQUIRE(grown.exit_code == 0);
  CHECK(max_relative_difference(final_weights(f.dir / "straight", 6), final_weights(grow, 6)) < 1e-3);
}

TEST_CASE("a rank that hangs makes the job fail within the timeout, naming the rank", "[mpi]") {
  Fixture f("mpi_hang");
  const auto run = f.dir / "hang";
  auto r = mpi_run(2, f.base + " --set train.micro_batch_size=4 --set dist.timeout_s=3 --run-dir " + run.string(),
                   "DSMATH_FAULT_INJECT=hang_after_step:3@rank1");
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Contains("rank 0") && Contains("has waited") && Contains("waiting for: rank 1 (last at step 3, not in a collective"));
  CHECK(fs::exists(run / "checkpoints" / "step-0000002" / "model.safetensors"));
}

TEST_CASE("reducing gradients layer by layer during backward gives the same training", "[mpi]") {
  Fixture f("mpi_overlap");
  for (const char* zero : {"false", "true"}) {
    INFO("zero1: " << zero);
    // 2 micro-batches per rank and step: only the last one's backward overlaps the reduction
    const std::string two = f.base + " --set train.micro_batch_size=2 --set dist.zero1=" + zero;
    const auto with = f.dir / (std::string("overlap-zero1-") + zero), without = f.dir / (std::string("blocking-zero1-") + zero);
    const auto overlapped = mpi_run(2, two + " --set dist.overlap_grad_reduce=true --run-dir " + with.string());
    INFO(overlapped.output);
    REQUIRE(overlapped.exit_code == 0);
    CHECK_THAT(overlapped.output, Contains("layer by layer, overlapped with the last micro-batch's backward"));
    const auto blocking = mpi_run(2, two + " --set dist.overlap_grad_reduce=false --run-dir " + without.string());
    REQUIRE(blocking.exit_code == 0);
    CHECK_THAT(blocking.output, Contains(" after backward"));
    // two ranks: every sum has two operands, so the order cannot differ: bit for bit
    CHECK(read_file(with / "checkpoints" / "step-0000006" / "model.safetensors") ==
          read_file(without / "checkpoints" / "step-0000006" / "model.safetensors"));
    const auto a = test::read_metrics(with), b = test::read_metrics(without);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i]["loss"].get<double>() == b[i]["loss"].get<double>());
  }
}
