#include "sandbox/bwrap_args.hpp"

#include <filesystem>
#include <system_error>

namespace dsmath::sandbox {

std::vector<std::string> bwrap_args(const std::string& bwrap_path, const SandboxConfig& config) {
  namespace fs = std::filesystem;
  std::vector<std::string> a{bwrap_path};
  auto add = [&](std::initializer_list<std::string> xs) { a.insert(a.end(), xs); };
  // Every namespace bwrap knows (user, ipc, pid, net, uts, cgroup): the new network namespace
  // has only its own loopback, so neither the internet nor the host's 127.0.0.1 is reachable.
  // --disable-userns: no nested user namespace, where the program would regain capabilities.
  add({"--unshare-all", "--unshare-user", "--disable-userns"});
  // --die-with-parent: PR_SET_PDEATHSIG(SIGKILL), so our death takes the sandbox with it;
  // --new-session: setsid(), so the program cannot push input into a terminal (TIOCSTI).
  add({"--die-with-parent", "--new-session", "--hostname", "sandbox"});
  // The root is bwrap's own empty tmpfs; of the host only /usr, read-only. Merged-/usr systems
  // (Debian 12) have /bin, /lib, ... as symlinks into it; older layouts get the directories.
  add({"--ro-bind", "/usr", "/usr"});
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    const auto st = fs::symlink_status(top, ec);
    if (ec || !fs::exists(st)) continue;
    if (fs::is_symlink(st)) add({"--symlink", fs::read_symlink(top, ec).string(), top});
    else add({"--ro-bind", top, top});
  }
  // The loader's cache and Debian's alternatives (libblas.so.3 for numpy resolves through them).
  add({"--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"});
  add({"--ro-bind-try", "/etc/alternatives", "/etc/alternatives"});
  // A procfs of the new PID namespace only, and a minimal /dev (null, zero, random, ...).
  add({"--proc", "/proc", "--dev", "/dev"});
  add({"--size", std::to_string(config.limits.tmpfs_mb << 20), "--tmpfs", "/tmp"});
  add({"--dir", "/sandbox", "--ro-bind-data", std::to_string(kProgramFd), kProgramPath});
  // bwrap leaves its root tmpfs and the /dev tmpfs writable: made read-only, /tmp is the only
  // place a program can write (device nodes such as /dev/null still work on a read-only mount).
  add({"--remount-ro", "/dev", "--remount-ro", "/"});
  add({"--chdir", "/tmp", "--clearenv"});
  for (auto [k, v] : {std::pair{"PATH", "/usr/bin:/bin"}, {"HOME", "/tmp"}, {"TMPDIR", "/tmp"}, {"LANG", "C.UTF-8"},
                      // one BLAS/OpenMP thread: threads share the CPU limit and each reserves
                      // address space, which the memory limit counts
                      {"OPENBLAS_NUM_THREADS", "1"}, {"OMP_NUM_THREADS", "1"}, {"MPLCONFIGDIR", "/tmp"}})
    add({"--setenv", k, v});
  // {"child-pid": N} (the namespace's init, in host terms) then {"exit-code": N}.
  add({"--json-status-fd", std::to_string(kStatusFd)});
  // -I: isolated mode (no PYTHON* variables, no user site, script dir not on sys.path);
  // -B: no .pyc files.
  add({"--", config.python, "-I", "-B", kProgramPath});
  return a;
}

}  // namespace dsmath::sandbox
