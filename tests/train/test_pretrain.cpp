#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "backend/cpu/cpu_backend.hpp"
#include "config/load.hpp"
#include "core/files.hpp"
#include "io/checkpoint_store.hpp"
#include "io/hf_model.hpp"
#include "pretrain_fixture.hpp"
#include "run_comparison.hpp"
#include "train/pretrain.hpp"

using namespace dsmath;
using Catch::Contains;


TEST_CASE("pretraining on a repetitive stream drives the loss well below its start", "[train]") {
  auto dir = test::temp_dir("pretrain_learns");
  auto cfg_path = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
  auto cfg = config::load_config<PretrainConfig>({cfg_path, {}});
  const TrainingSummary s = run_pretrain(cfg, {dir / "run", false});
  CHECK(s.steps == 40);
  // uniform guessing over 64 tokens costs ln 64 = 4.16 nats
  CHECK(s.first_loss == Approx(std::log(64.0)).margin(0.3));
  CHECK(s.last_loss < 0.3 * s.first_loss);
  auto metrics = test::read_metrics(dir / "run");
  REQUIRE(metrics.size() == 40);
  for (const char* key : {"step", "loss", "lr", "grad_norm", "tokens", "tokens_per_s", "step_time_s", "mfu", "memory_bytes"})
    CHECK(metrics.back().contains(key));
  CHECK(metrics.back()["tokens"] == 40 * 8 * 32);
  // the final checkpoint is a loadable Hugging Face directory
  REQUIRE(is_hf_model_dir(s.checkpoint));
  const ModelConfig mc = read_hf_config(s.checkpoint);
  CHECK(mc.dim == 32);
  CHECK(read_hf_weights(s.checkpoint, mc).size() == static_cast<size_t>(ParameterLayout(mc).total()));
}

TEST_CASE("a run killed at any point resumes to exactly the uninterrupted result", "[train][cli]") {
  auto dir = test::temp_dir("pretrain_resume");
  auto cfg = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
  const std::string common = "pretrain --config " + cfg.string() + " --set train.max_steps=8 --set checkpoint.every_steps=2";
  auto straight = test::run_dsmath(common + " --run-dir " + (dir / "straight").string());
  REQUIRE(straight.exit_code == 0);

  struct Case {
    std::string fault;
    std::string name;
  };
  for (const Case& c : {Case{"kill_mid_checkpoint:4", "mid_checkpoint"}, Case{"kill_after_step:5", "after_step"}}) {
    const auto run_dir = dir / c.name;
    auto killed = test::run_command("DSMATH_FAULT_INJECT=" + c.fault + " " + DSMATH_BINARY + " " + common + " --run-dir " +
                                    run_dir.string());
    CHECK(killed.exit_code == 128 + 9);  // SIGKILL
    auto resumed = test::run_dsmath(common + " --run-dir " + run_dir.string() + " --resume");
    REQUIRE(resumed.exit_code == 0);
    CHECK_THAT(resumed.output, Contains("resuming from"));
    test::check_identical_runs(dir / "straight", run_dir, 8);
  }
}

TEST_CASE("dsmath pretrain: outputs, refusal to overwrite, and config errors", "[train][cli]") {
  auto dir = test::temp_dir("pretrain_cli");
  auto cfg = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
  const std::string run = " --run-dir " + (dir / "run").string();
  auto ok = test::run_dsmath("pretrain --config " + cfg.string() + " --set train.max_steps=3" + run);
  REQUIRE(ok.exit_code == 0);
  CHECK_THAT(ok.output, Contains("pretrain: 3 steps"));
  CHECK(fs::exists(dir / "run" / "config.yaml"));
  CHECK(fs::exists(dir / "run" / "checkpoints" / "latest"));
  CHECK(fs::exists(dir / "run" / "checkpoints" / "step-0000003" / "trainer_state.json"));
  // a second run into the same directory must not clobber it
  auto again = test::run_dsmath("pretrain --config " + cfg.string() + " --set train.max_steps=3" + run);
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.output, Contains("already holds checkpoints") && Contains("--resume"));
  // config errors exit 1 with file:line and the key
  std::ofstream(dir / "bad.yaml") << "stage: pretrain\ndata: {sources: [{name: a, paths: [x]}]}\ntrain:\n  max_stepz: 3\n";
  auto bad = test::run_dsmath("pretrain --config " + (dir / "bad.yaml").string() + run);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.output, Contains("bad.yaml:4:3") && Contains("unknown key 'train.max_stepz'") && Contains("max_steps"));
  auto bad_set = test::run_dsmath("pretrain --config " + cfg.string() + " --set optim.lr_peak=fast" + run);
  CHECK(bad_set.exit_code == 1);
  CHECK_THAT(bad_set.output, Contains("--set optim.lr_peak=fast") && Contains("expected number"));
  auto bad_batch = test::run_dsmath("pretrain --config " + cfg.string() + " --set train.global_batch_size=6" + run);
  CHECK(bad_batch.exit_code == 1);
  CHECK_THAT(bad_batch.output, Contains("global_batch_size (6) is not a multiple of micro_batch_size (4)"));
}

TEST_CASE("non-finite losses stop the run (or skip steps) and never reach a checkpoint", "[train][cli]") {
  auto dir = test::temp_dir("pretrain_nan");
  auto cfg = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
  // An absurd learning rate without clipping blows the weights up after the first update.
  const std::string diverge = "pretrain --config " + cfg.string() +
                              " --set optim.lr_peak=1e30 --set optim.warmup_steps=0 --set optim.grad_clip=0"
                              " --set checkpoint.every_steps=1 --set train.max_steps=10";
  auto stop = test::run_dsmath(diverge + " --run-dir " + (dir / "stop").string());
  CHECK(stop.exit_code == 1);
  CHECK_THAT(stop.output, Contains("step 2: non-finite") && Contains("nan_policy=skip"));
  // the last checkpoint is the clean one from before the failure
  auto latest = dir / "stop" / "checkpoints" / "step-0000001";
  REQUIRE(fs::exists(latest));
  CHECK(!fs::exists(dir / "stop" / "checkpoints" / "step-0000002"));
  auto skip = test::run_dsmath(diverge + " --set train.nan_policy=skip --set train.max_consecutive_skips=3 --run-dir " +
                               (dir / "skip").string());
  CHECK(skip.exit_code == 1);
  CHECK_THAT(skip.output, Contains("step skipped") && Contains("3 consecutive non-finite steps"));
}

TEST_CASE("a stop signal checkpoints the current step and the run resumes exactly", "[train][cli]") {
  auto dir = test::temp_dir("pretrain_signal");
  auto cfg = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
  // A constant LR, so that the schedule does not depend on max_steps: the signalled run is
  // given far more steps than it could finish before the signal (so that it cannot pass by
  // finishing first), and the comparison runs end a few steps after the one it stopped at.
  const std::string args = " pretrain --config " + cfg.string() +
                           " --set optim.schedule=constant --set checkpoint.every_steps=0";
  // SIGTERM (what Slurm sends before preemption) once a few steps are done; `timeout` passes
  // it on, and kills the run (exit 137, a failure) should it ignore the signal
  const auto run = dir / "stopped";
  const std::string metrics = (run / "metrics.jsonl").string();
  auto stopped = test::run_command(
      "timeout -s KILL 120 " + std::string(DSMATH_BINARY) + args + " --set train.max_steps=1000000 --run-dir " +
      run.string() + " & pid=$!;"
      " while kill -0 $pid 2>/dev/null && { [ ! -s " + metrics + " ] || [ $(wc -l < " + metrics + ") -lt 5 ]; };"
      " do sleep 0.02; done; kill -TERM $pid; wait $pid");
  INFO(stopped.output);
  // checkpoint written, exit status 75 (EX_TEMPFAIL: not finished)
  REQUIRE(stopped.exit_code == 75);
  CHECK_THAT(stopped.output, Contains("stopped early by a signal"));
  const int64_t stop_step = static_cast<int64_t>(test::read_metrics(run).size());
  REQUIRE(stop_step >= 5);
  REQUIRE(fs::exists(run / "checkpoints" / CheckpointStore::step_name(stop_step) / "model.safetensors"));

  const std::string until = " --set train.max_steps=" + std::to_string(stop_step + 5);
  REQUIRE(test::run_dsmath(args + until + " --run-dir " + (dir / "straight").string()).exit_code == 0);
  auto resumed = test::run_dsmath(args + until + " --run-dir " + run.string() + " --resume");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Contains("resuming from"));
  test::check_identical_runs(dir / "straight", run, stop_step + 5);
  // resuming with another batch size would silently skip or repeat data: refused
  auto other = test::run_dsmath(args + " --set train.max_steps=1000 --set train.global_batch_size=16 --run-dir " +
                                run.string() + " --resume");
  CHECK(other.exit_code == 1);
  CHECK_THAT(other.output, Contains("global_batch_size 8") && Contains("init.from"));
  // and a finished run has nothing to do
  auto again = test::run_dsmath(args + until + " --run-dir " + run.string() + " --resume");
  CHECK_THAT(again.output, Contains("nothing to do"));
}

TEST_CASE("CPU training gives the same bits with 1, 2 and 3 threads (dim 256)", "[train][cli]") {
  // A shape where the GEMMs are big enough for OpenBLAS's threading to split them (at dim 32
  // every thread count agrees anyway); OMP_NUM_THREADS as a user sets it, each run its own
  // process. Same metrics and weights bit for bit, so a run resumed with another thread count
  // is the uninterrupted run.
  auto dir = test::temp_dir("pretrain_threads");
  auto cfg = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
  const std::string args = " pretrain --config " + cfg.string() +
                           " --set model.dim=256 --set model.n_layers=1 --set model.n_kv_heads=4 --set model.ffn_dim=688"
                           " --set model.max_seq_len=256 --set data.seq_len=256 --set runtime.threads=0"
                           " --set train.max_steps=2 --set checkpoint.every_steps=0";
  for (int threads : {1, 2, 3}) {
    const auto run = dir / ("threads-" + std::to_string(threads));
    auto r = test::run_command("OMP_NUM_THREADS=" + std::to_string(threads) + " OMP_WAIT_POLICY=passive " +
                               DSMATH_BINARY + args + " --run-dir " + run.string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Contains(std::to_string(threads) + " threads"));
  }
  test::check_identical_runs(dir / "threads-1", dir / "threads-2", 2);
  test::check_identical_runs(dir / "threads-1", dir / "threads-3", 2);
}
