#pragma once
// The one executor for model-written Python (program-of-thought eval, tool-integrated
// reasoning, later RL rewards). Model-written code is untrusted input, so each program runs
// in bubblewrap (bwrap(1)):
//   - its own user, PID, network, mount, IPC, UTS and cgroup namespaces (--unshare-all): no
//     network at all, not even the host's loopback; it sees only its own processes;
//   - a root of read-only binds of /usr (+ the /bin, /lib symlinks, the dynamic loader's
//     cache and /etc/alternatives) and nothing else of the host: no /etc/shadow, no home, no
//     run directory; the only writable place is a private size-capped tmpfs on /tmp;
//   - --die-with-parent, --new-session (no TIOCSTI into our terminal), --disable-userns;
//   - rlimits set in the launcher before exec (CPU, address space, file size, processes,
//     open files, no core files), and as root a host uid of its own per pool slot;
//   - a wall-clock timeout and stdout/stderr caps enforced while reading: past either, the
//     sandbox's PID-namespace init is killed, and with it every process inside (pid_namespaces(7)).
// docs/eval.md "Running model-written programs" says what this guarantees and what not.
#include <string>
#include <string_view>

#include "sandbox/sandbox_config.hpp"
#include "sandbox/sandbox_result.hpp"

namespace dsmath::sandbox {

class Sandbox {
 public:
  // Finds bwrap and the interpreter; fails with an install hint when either is missing.
  explicit Sandbox(SandboxConfig config);

  // Runs `python_source` as a script (python -I -B) with stdin at EOF. `slot` (0 <= slot <
  // parallel) picks the host uid when running as root: two runs at once need two slots.
  // Throws Error only when the sandbox itself cannot start (bwrap refused, interpreter missing);
  // whatever the program does is reported in the result.
  SandboxResult run(std::string_view python_source, int slot = 0) const;

  // Runs `import sympy, numpy` inside; throws Error naming the missing package and the fix.
  void check_python_packages() const;

  const SandboxConfig& config() const { return config_; }
  const std::string& bwrap_path() const { return bwrap_path_; }
  // The host uid slot `slot` runs as (the caller's own uid when not root).
  unsigned sandbox_uid(int slot) const;

 private:
  SandboxConfig config_;
  std::string bwrap_path_;
};

}  // namespace dsmath::sandbox
