// scripts/slurm: the sbatch and mpirun examples are valid bash, pass dsmath only options it
// has, start a run fresh and resume it when launched again (requeue), and stop before any
// rank starts when an override is wrong. srun and mpirun are replaced by shims that log their
// arguments and run the command once; with MPI built, the mpirun script also runs 2 real ranks.
#include <catch2/catch.hpp>

#include <fstream>

#include "../train/pretrain_fixture.hpp"
#include "core/files.hpp"
#include "io/checkpoint_store.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
const fs::path kScripts = fs::path(DSMATH_SOURCE_DIR) / "scripts" / "slurm";

std::string quoted(const fs::path& p) {
  std::string s(1, '\'');
  s += p.string();
  s += '\'';
  return s;
}

// A launcher stand-in: appends its arguments to LOG, drops them up to the command (srun: the
// options, all written --name=value; mpirun: everything before the dsmath binary), runs it.
fs::path write_shim(const fs::path& dir, const std::string& name, const fs::path& log, bool skip_to_binary) {
  const fs::path path = dir / name;
  std::string body = "#!/usr/bin/env bash\necho \"$*\" >> " + quoted(log) + "\n";
  body += skip_to_binary ? "while (($#)) && [[ \"$1\" != \"$DSMATH\" ]]; do shift; done\n"
                         : "while (($#)) && [[ \"$1\" == -* ]]; do shift; done\n";
  body += "exec \"$@\"\n";
  write_file_atomic(path, body);
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
  return path;
}

struct LaunchFixture {
  fs::path dir, config, run, log;
  explicit LaunchFixture(const std::string& name) : dir(test::temp_dir(name)) {
    config = test::tiny_pretrain_config(dir, test::repetitive_shard(dir));
    run = dir / "run";
    log = dir / "launcher.log";
  }
  // environment shared by both scripts
  std::string env() const {
    return "RUN_DIR=" + quoted(run) + " CONFIG=" + quoted(config) + " DSMATH=" + quoted(DSMATH_BINARY) + " ";
  }
  std::string launcher_log() const { return fs::exists(log) ? read_file(log) : ""; }
  bool has_checkpoint(int step) const { return fs::exists(run / "checkpoints" / CheckpointStore::step_name(step) / "model.safetensors"); }
};
}  // namespace

TEST_CASE("every launch script is valid bash", "[dist]") {
  int scripts = 0;
  for (const auto& entry : fs::directory_iterator(kScripts)) {
    if (!entry.is_regular_file()) continue;
    ++scripts;
    INFO(entry.path().string());
    auto r = test::run_command("bash -n " + quoted(entry.path()));
    INFO(r.output);
    CHECK(r.exit_code == 0);
  }
  CHECK(scripts >= 3);  // pretrain.sbatch, pretrain_mpirun.sh, launch_common.sh
}

TEST_CASE("pretrain.sbatch starts fresh, and a requeued job resumes from the latest checkpoint", "[dist]") {
  LaunchFixture f("launch_sbatch");
  const fs::path srun = write_shim(f.dir, "srun", f.log, false);
  const std::string sbatch = f.env() + "SRUN=" + quoted(srun) + " DSMATH_ROOT=" + quoted(DSMATH_SOURCE_DIR) +
                             " SLURM_JOB_ID=41 SLURM_CPUS_PER_TASK=1 bash " + quoted(kScripts / "pretrain.sbatch") +
                             " --set checkpoint.every_steps=1 --set train.max_steps=";

  auto first = test::run_command(sbatch + "2");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.output, Contains("starting from the beginning") && Contains("pretrain: 2 steps"));
  CHECK(f.has_checkpoint(2));
  // the shared-filesystem check ran once before dsmath, and dsmath got the options the script documents
  const std::string log = f.launcher_log();
  CHECK_THAT(log, Contains("--ntasks-per-node=1 bash -c"));
  CHECK_THAT(log, Contains("--mpi=pmix --kill-on-bad-exit=1 --cpus-per-task=1 " + std::string(DSMATH_BINARY) + " pretrain"));
  CHECK_THAT(log, Contains("--resume --set dist.zero1=true"));
  CHECK_THAT(read_file(f.run / "launch-config-41.yaml"), Contains("zero1: true"));

  // the same command again (what a requeue runs) continues the run
  auto again = test::run_command(sbatch + "4");
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.output, Contains("resuming from") && Contains("step-0000002"));
  CHECK(f.has_checkpoint(4));
}

TEST_CASE("a misspelt override stops the launch before any rank starts", "[dist]") {
  LaunchFixture f("launch_bad_set");
  const fs::path srun = write_shim(f.dir, "srun", f.log, false);
  auto r = test::run_command(f.env() + "SRUN=" + quoted(srun) + " DSMATH_ROOT=" + quoted(DSMATH_SOURCE_DIR) + " bash " +
                             quoted(kScripts / "pretrain.sbatch") + " --set train.max_stepz=2");
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Contains("unknown key 'train.max_stepz'") && Contains("did you mean 'train.max_steps'"));
  CHECK(f.launcher_log().empty());
  CHECK_FALSE(fs::exists(f.run / "checkpoints"));
}

TEST_CASE("pretrain.sbatch needs RUN_DIR", "[dist]") {
  auto r = test::run_command("DSMATH=" + quoted(DSMATH_BINARY) + " DSMATH_ROOT=" + quoted(DSMATH_SOURCE_DIR) + " bash " +
                             quoted(kScripts / "pretrain.sbatch"));
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Contains("set RUN_DIR"));
}

TEST_CASE("pretrain_mpirun.sh sizes the job from the hostfile and forwards the environment", "[dist]") {
  LaunchFixture f("launch_mpirun_shim");
  const fs::path mpirun = write_shim(f.dir, "mpirun", f.log, true);
  const fs::path hosts = f.dir / "hosts.txt";
  write_file_atomic(hosts, "# two nodes\nnode01 slots=4\n\nnode02 slots=4\n");
  auto r = test::run_command(f.env() + "MPIRUN=" + quoted(mpirun) + " HOSTFILE=" + quoted(hosts) +
                             " GPUS_PER_NODE=4 NCCL_SOCKET_IFNAME=ib0 bash " + quoted(kScripts / "pretrain_mpirun.sh") +
                             " --set train.max_steps=2");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("pretrain: 2 steps"));
  const std::string log = f.launcher_log();
  CHECK_THAT(log, Contains("-np 8 --map-by ppr:4:node --bind-to none --hostfile " + hosts.string()));
  CHECK_THAT(log, Contains("-x OMP_NUM_THREADS") && Contains("-x NCCL_SOCKET_IFNAME") && Contains("-x NCCL_DEBUG"));
  CHECK_THAT(log, Contains("pretrain --config " + f.config.string() + " --run-dir " + f.run.string() + " --resume"));
  CHECK(f.has_checkpoint(2));
}

#ifdef DSMATH_MPIEXEC
TEST_CASE("pretrain_mpirun.sh runs two ranks under the real mpirun and resumes", "[dist]") {
  LaunchFixture f("launch_mpirun_real");
  // the flags this sandbox needs as root (shared/TOOLCHAIN.md section 3)
  const std::string launch = f.env() + "MPIRUN=" + quoted(DSMATH_MPIEXEC) +
                             " MPIRUN_ARGS='--allow-run-as-root --oversubscribe --mca pml ob1 --mca btl self,vader'"
                             " GPUS_PER_NODE=2 OMP_NUM_THREADS=1 bash " +
                             quoted(kScripts / "pretrain_mpirun.sh") +
                             " --device cpu --set train.micro_batch_size=4 --set train.max_steps=";
  auto first = test::run_command(launch + "2");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.output, Contains("MPI (2 ranks)"));
  CHECK(fs::exists(f.run / "checkpoints" / "step-0000002" / "optimizer-rank1.safetensors"));
  auto again = test::run_command(launch + "3");
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.output, Contains("resuming from"));
  CHECK(f.has_checkpoint(3));
}
#endif
