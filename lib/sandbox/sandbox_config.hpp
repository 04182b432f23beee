#pragma once
// Limits and paths of the sandbox that runs model-written Python (sandbox.hpp). The defaults
// follow DeepSeek-Math's executor where it has a number (a 10 s timeout per program,
// evaluation/eval/python_executor.py) and are otherwise sized for PAL/tool programs: a few
// sympy calls, small numpy arrays, a few lines of output.
#include <cstdint>
#include <string>

#include "config/schema.hpp"

namespace dsmath::sandbox {

struct SandboxLimits {
  double wall_seconds = 10.0;     // whole run, start of bwrap to its exit
  int cpu_seconds = 10;           // RLIMIT_CPU of each process (SIGXCPU, then SIGKILL)
  int64_t memory_mb = 2048;       // RLIMIT_AS of each process (address space, not resident memory)
  int64_t file_size_mb = 16;      // RLIMIT_FSIZE: largest file a process may write
  int64_t tmpfs_mb = 64;          // size of the only writable place, /tmp (bwrap --size)
  int processes = 32;             // RLIMIT_NPROC of the sandbox's own uid (bwrap's 2 included)
  int open_files = 64;            // RLIMIT_NOFILE
  int64_t output_kb = 1024;       // cap on stdout and on stderr each; the run is killed past it

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("wall_seconds", wall_seconds, "wall-clock limit of one program; the whole process tree is killed past it",
      Check().greater_than(0));
    v("cpu_seconds", cpu_seconds, "CPU-time limit of each process (RLIMIT_CPU)", Check().at_least(1));
    v("memory_mb", memory_mb, "address-space limit of each process in MiB (RLIMIT_AS)", Check().at_least(64));
    v("file_size_mb", file_size_mb, "largest file a program may write, MiB (RLIMIT_FSIZE)", Check().at_least(1));
    v("tmpfs_mb", tmpfs_mb, "size of the private writable /tmp, MiB", Check().at_least(1));
    v("processes", processes, "processes of one sandbox, bwrap's two included (RLIMIT_NPROC; root only)",
      Check().at_least(4));
    v("open_files", open_files, "open files per process (RLIMIT_NOFILE)", Check().at_least(16));
    v("output_kb", output_kb, "cap on stdout and on stderr each, KiB; the program is killed past it",
      Check().at_least(1));
  }
};

struct SandboxConfig {
  std::string bwrap = "bwrap";              // Debian package bubblewrap
  std::string python = "/usr/bin/python3";  // Debian python3 (+ python3-sympy, python3-numpy)
  int parallel = 0;                         // programs at once; 0 = one per core
  // Run as root, each pool slot runs its sandbox as host uid uid_base + slot: RLIMIT_NPROC is
  // counted per real uid and not enforced for uid 0 at all, and a uid of its own owns no file.
  int64_t uid_base = 1900000000;
  SandboxLimits limits;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("bwrap", bwrap, "bubblewrap executable (a path, or a name looked up on PATH)", Check().nonempty());
    v("python", python, "Python interpreter inside the sandbox (absolute path under /usr)", Check().nonempty());
    v("parallel", parallel, "programs run at once (0 = one per core)", Check().at_least(0));
    v("uid_base", uid_base, "when run as root: sandbox slot k runs as host uid uid_base + k (must own nothing)",
      Check().at_least(1000).at_most(4000000000.0));
    v("limits", limits, "resource limits of one program");
  }
};

}  // namespace dsmath::sandbox
