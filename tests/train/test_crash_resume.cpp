// Crash safety from outside the process: SIGKILL at moments the run does not choose (the fault
// hooks of test_pretrain.cpp kill it at points it reaches itself), resumed each time with
// --resume, must end byte-identical to the run that was never interrupted.
#include <catch2/catch.hpp>

#include <string>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/timer.hpp"
#include "pretrain_fixture.hpp"
#include "run_comparison.hpp"

using namespace dsmath;

TEST_CASE("a run SIGKILLed from outside at random moments, mid-checkpoint too, resumes to exactly the uninterrupted run",
          "[train][cli]") {
  auto dir = test::temp_dir("pretrain_sigkill");
  auto cfg = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
  const int steps = 30;
  // a checkpoint every 3 steps: random moments fall in steps and in checkpoints (fsyncs make
  // them slow next to a tiny model's step)
  const std::string common = "pretrain --config " + cfg.string() + " --set train.max_steps=" + std::to_string(steps) +
                             " --set checkpoint.every_steps=3 --set checkpoint.keep_last=2";
  Stopwatch clock;
  REQUIRE(test::run_dsmath(common + " --run-dir " + (dir / "straight").string()).exit_code == 0);
  const double straight_s = clock.seconds();

  const auto run = dir / "killed";
  const std::string script = (test::source_dir() / "tests" / "train" / "kill_at.sh").string();
  Rng rng(20261202);  // seeded: the same kill delays every time (their effect still depends on the machine's speed)
  int kills = 0, mid_checkpoint = 0;
  std::string log;
  // Kills alternate between a random delay after start (up to a sixth of the uninterrupted
  // run, so that several fit in) and the moment a checkpoint is seen being written. Whether a
  // kill landed mid-checkpoint is read from what it left: a fresh *.partial directory.
  for (int attempt = 0; attempt < 12 && (kills < 4 || mid_checkpoint == 0); ++attempt) {
    const bool at_checkpoint = attempt % 2 == 1;
    const double delay_s = rng.uniform() * straight_s / 6;
    const std::string when = at_checkpoint ? "checkpoint 0" : "after " + std::to_string(delay_s);
    const auto started = fs::file_time_type::clock::now();
    const auto r = test::run_command("bash " + script + " " + when + " " + run.string() + " -- " + DSMATH_BINARY + " " +
                                     common + " --resume --run-dir " + run.string());
    if (r.exit_code == 0) break;  // finished before the kill: no more kills possible
    INFO(r.output);
    REQUIRE(r.exit_code == 128 + 9);
    ++kills;
    // a *.partial directory this attempt wrote into (one left by an earlier kill does not count)
    bool partial = false;
    if (fs::exists(run / "checkpoints"))
      for (const auto& e : fs::directory_iterator(run / "checkpoints"))
        partial = partial || (e.path().extension() == ".partial" && fs::last_write_time(e.path()) >= started);
    mid_checkpoint += partial;
    log += fmt::format("kill {}: {}{}\n", kills, at_checkpoint ? "at a checkpoint" : fmt::format("after {:.3f} s", delay_s),
                       partial ? ", mid-checkpoint" : "");
  }
  INFO(log);
  WARN(log);
  CHECK(kills >= 4);
  CHECK(mid_checkpoint >= 1);
  auto resumed = test::run_dsmath(common + " --resume --run-dir " + run.string());
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  test::check_identical_runs(dir / "straight", run, steps);
}
