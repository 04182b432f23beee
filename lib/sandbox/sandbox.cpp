#include "sandbox/sandbox.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "sandbox/bwrap_args.hpp"
#include "sandbox/child_process.hpp"
#include "sandbox/unique_fd.hpp"

namespace dsmath::sandbox {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kSetupHint = "scripts/setup.sh installs bubblewrap, python3, python3-sympy and python3-numpy";

// Our fds start at 10 so that the dup2 onto 0..4 in the child never overwrites one not yet moved.
UniqueFd high_fd(int fd, const char* what) {
  if (fd < 0) fail("sandbox: {} failed: {}", what, std::strerror(errno));
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
  const int err = errno;
  ::close(fd);
  if (moved < 0) fail("sandbox: fcntl(F_DUPFD_CLOEXEC) failed: {}", std::strerror(err));
  return UniqueFd(moved);
}

struct Pipe {
  UniqueFd read, write;
};
Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("sandbox: pipe2 failed: {}", std::strerror(errno));
  return {high_fd(fds[0], "pipe"), high_fd(fds[1], "pipe")};
}

std::string find_on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  for (const auto& dir : split(path ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// The child between fork and exec: only async-signal-safe calls (fork(2) in a threaded
// process), raw syscalls for the credentials (glibc's setresuid would signal every thread of
// the parent image), then exec bwrap. Never returns.
[[noreturn]] void exec_launcher(const std::array<int, 5>& fds, const SandboxConfig& config, bool as_root, unsigned uid,
                                char* const* argv, char* const* envp) {
  ::setpgid(0, 0);  // its own group: the timeout can kill bwrap and anything it forked
  for (int i = 0; i < 5; ++i)
    if (::dup2(fds[static_cast<size_t>(i)], i) < 0) ::_exit(126);
  ::syscall(SYS_close_range, 5U, ~0U, 0U);  // nothing else of ours reaches the sandbox
  auto limit = [](int resource, rlim_t soft, rlim_t hard) {
    const struct rlimit r{soft, hard};
    if (::setrlimit(resource, &r) != 0) ::_exit(126);
  };
  const SandboxLimits& l = config.limits;
  // RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one (setrlimit(2)).
  limit(RLIMIT_CPU, static_cast<rlim_t>(l.cpu_seconds), static_cast<rlim_t>(l.cpu_seconds) + 1);
  limit(RLIMIT_AS, static_cast<rlim_t>(l.memory_mb) << 20, static_cast<rlim_t>(l.memory_mb) << 20);
  limit(RLIMIT_FSIZE, static_cast<rlim_t>(l.file_size_mb) << 20, static_cast<rlim_t>(l.file_size_mb) << 20);
  limit(RLIMIT_NOFILE, static_cast<rlim_t>(l.open_files), static_cast<rlim_t>(l.open_files));
  limit(RLIMIT_CORE, 0, 0);  // a crash writes no core file (core_pattern may be a host pipe)
  if (as_root) {
    // RLIMIT_NPROC counts the processes of the real uid and is ignored for root, so the
    // sandbox runs as a uid of its own (uid_base + slot) whose count is the sandbox's alone.
    limit(RLIMIT_NPROC, static_cast<rlim_t>(config.limits.processes), static_cast<rlim_t>(config.limits.processes));
    if (::syscall(SYS_setgroups, 0, nullptr) != 0 || ::syscall(SYS_setresgid, uid, uid, uid) != 0 ||
        ::syscall(SYS_setresuid, uid, uid, uid) != 0)
      ::_exit(126);
  }
  if (::chdir("/") != 0) ::_exit(126);
  ::execve(argv[0], argv, envp);
  static const char msg[] = "sandbox launcher: execve(bwrap) failed\n";
  [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
  ::_exit(127);
}

// "child-pid": N from bwrap's status stream, or -1 when not (yet) seen.
pid_t child_pid_of(const std::string& status) {
  const auto at = status.find("\"child-pid\"");
  if (at == std::string::npos) return -1;
  const auto colon = status.find(':', at);
  if (colon == std::string::npos) return -1;
  size_t i = colon + 1;
  while (i < status.size() && status[i] == ' ') ++i;
  pid_t pid = 0;
  bool digits = false;
  for (; i < status.size() && status[i] >= '0' && status[i] <= '9'; ++i) {
    pid = pid * 10 + (status[i] - '0');
    digits = true;
  }
  return digits && i < status.size() ? pid : -1;  // a number cut by the read boundary waits
}

// The exception type of a Python traceback's last line ("MemoryError", or numpy's
// "numpy.core._exceptions._ArrayMemoryError: Unable to allocate ...").
bool raised_memory_error(const std::string& stderr_text) {
  const auto end = stderr_text.find_last_not_of("\r\n ");
  if (end == std::string::npos) return false;
  auto begin = stderr_text.rfind('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  std::string_view last = std::string_view(stderr_text).substr(begin, end + 1 - begin);
  last = last.substr(0, last.find(':'));
  return last.ends_with("MemoryError") && last.find(' ') == std::string_view::npos;
}

}  // namespace

Sandbox::Sandbox(SandboxConfig config) : config_(std::move(config)) {
  // bwrap's outer process may exit before the namespace's init has been reaped; that init
  // would then be re-parented to the host's pid 1, and where pid 1 does not reap (containers,
  // microVMs) stay a zombie per run. As a subreaper we adopt it and reap it ourselves, which
  // also tells us exactly when the namespace is empty (prctl(2) PR_SET_CHILD_SUBREAPER).
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    fail("sandbox: prctl(PR_SET_CHILD_SUBREAPER) failed: {}", std::strerror(errno));
  bwrap_path_ = find_on_path(config_.bwrap);
  if (bwrap_path_.empty())
    fail_hint(std::string("install the Debian package bubblewrap (") + kSetupHint + "), or set sandbox.bwrap",
              "sandbox: bubblewrap executable '{}' not found (sandbox.bwrap); model-written programs run only inside it",
              config_.bwrap);
  if (!config_.python.starts_with("/usr/"))
    fail_hint("use the system interpreter, e.g. /usr/bin/python3",
              "sandbox.python '{}': only /usr is visible inside the sandbox", config_.python);
  if (::access(config_.python.c_str(), X_OK) != 0)
    fail_hint(std::string("install python3 (") + kSetupHint + ")", "sandbox.python '{}' is not an executable file",
              config_.python);
}

unsigned Sandbox::sandbox_uid(int slot) const {
  return ::geteuid() == 0 ? static_cast<unsigned>(config_.uid_base + slot) : static_cast<unsigned>(::geteuid());
}

SandboxResult Sandbox::run(std::string_view python_source, int slot) const {
  const SandboxLimits& limits = config_.limits;
  const size_t cap = static_cast<size_t>(limits.output_kb) * 1024;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limits.wall_seconds));

  // The program text travels in a memfd that bwrap copies into the sandbox (--ro-bind-data):
  // no file of ours, and no directory of the host, is shared with it.
  UniqueFd program = high_fd(static_cast<int>(::memfd_create("program.py", MFD_CLOEXEC)), "memfd_create");
  for (size_t off = 0; off < python_source.size();) {
    const ssize_t n = ::write(program.get(), python_source.data() + off, python_source.size() - off);
    if (n <= 0) fail("sandbox: writing the program to its memfd failed: {}", std::strerror(errno));
    off += static_cast<size_t>(n);
  }
  ::lseek(program.get(), 0, SEEK_SET);
  UniqueFd devnull = high_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC), "open /dev/null");
  Pipe out = make_pipe(), err = make_pipe(), status = make_pipe();

  const std::vector<std::string> args = bwrap_args(bwrap_path_, config_);
  std::vector<char*> argv;
  for (const auto& s : args) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  char path_env[] = "PATH=/usr/bin:/bin";
  char* envp[] = {path_env, nullptr};
  const bool as_root = ::geteuid() == 0;
  const unsigned uid = sandbox_uid(slot);
  const std::array<int, 5> fds{devnull.get(), out.write.get(), err.write.get(), program.get(), status.write.get()};

  const pid_t pid = ::fork();
  if (pid < 0) fail("sandbox: fork failed: {}", std::strerror(errno));
  if (pid == 0) exec_launcher(fds, config_, as_root, uid, argv.data(), envp);
  ChildProcess bwrap(pid);
  out.write.reset();
  err.write.reset();
  status.write.reset();
  program.reset();

  SandboxResult result;
  std::string status_text;
  pid_t ns_init = -1;
  std::optional<StopReason> killed_for;
  std::optional<Clock::time_point> kill_deadline;
  // Kill the namespace's init: the kernel then kills every process in the namespace and the
  // init's exit completes only after they are gone (pid_namespaces(7)); bwrap, its parent,
  // exits after reaping it. Before the init exists, bwrap's own group is killed.
  auto kill_sandbox = [&](StopReason why) {
    if (!killed_for) killed_for = why;
    if (ns_init > 0) ::kill(ns_init, SIGKILL);
    else bwrap.kill_group();
    kill_deadline = Clock::now() + std::chrono::seconds(2);
  };

  std::array<UniqueFd*, 3> streams{&out.read, &err.read, &status.read};
  std::array<std::string*, 3> sinks{&result.stdout_text, &result.stderr_text, &status_text};
  std::vector<char> buf(1 << 16);
  while (out.read || err.read || status.read || !bwrap.try_reap()) {
    const auto now = Clock::now();
    if (!killed_for && now >= deadline) kill_sandbox(StopReason::timeout);
    if (kill_deadline && now >= *kill_deadline) {
      bwrap.kill_group();  // the namespace did not go in time: bwrap itself, and its pdeathsig
      bwrap.wait();
      break;
    }
    const auto until = kill_deadline ? *kill_deadline : deadline;
    const int wait_ms = static_cast<int>(std::clamp<int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1, 1, 50));
    std::array<pollfd, 3> p{};
    nfds_t n = 0;
    std::array<size_t, 3> which{};
    for (size_t i = 0; i < 3; ++i)
      if (*streams[i]) {
        p[n] = {streams[i]->get(), POLLIN, 0};
        which[n++] = i;
      }
    // With every pipe closed only bwrap's exit is awaited: poll on nothing, a short sleep.
    const int ready = ::poll(p.data(), n, n ? wait_ms : std::min(wait_ms, 5));
    if (ready < 0 && errno != EINTR) fail("sandbox: poll failed: {}", std::strerror(errno));
    for (nfds_t k = 0; ready > 0 && k < n; ++k) {
      if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const size_t i = which[k];
      const ssize_t got = ::read(streams[i]->get(), buf.data(), buf.size());
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        streams[i]->reset();
        continue;
      }
      std::string& sink = *sinks[i];
      const size_t room = i == 2 ? buf.size() : cap - std::min(cap, sink.size());
      sink.append(buf.data(), std::min(room, static_cast<size_t>(got)));
      if (i == 2 && ns_init < 0) ns_init = child_pid_of(status_text);
      if (i < 2 && static_cast<size_t>(got) > room && !killed_for) kill_sandbox(StopReason::output_limit);
    }
  }
  const int wstatus = bwrap.wait();
  if (ns_init > 0) {
    // Adopted by us (see the constructor) once bwrap exited, unless bwrap reaped it: its
    // exit completes only after every process of its namespace is gone (pid_namespaces(7)).
    ::kill(ns_init, SIGKILL);  // its program has ended: nothing is lost, and the wait is bounded
    int st = 0;
    while (::waitpid(ns_init, &st, 0) < 0 && errno == EINTR) {
    }
  }
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  if (ns_init < 0 && !killed_for) {
    // bwrap never started the program: a sandbox failure, not the program's.
    const std::string why(trim(result.stderr_text));
    fail_hint(std::string("bwrap must be able to create user namespaces (kernel.unprivileged_userns_clone=1; ") +
                  kSetupHint + ")",
              "sandbox: bwrap did not start the program (launcher status {}): {}",
              WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus), why.empty() ? "no message" : why);
  }
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  if (killed_for) {
    result.reason = *killed_for;
  } else if (result.exit_code == 0) {
    result.reason = StopReason::ok;
  } else if (result.exit_code == 128 + SIGXCPU) {
    result.reason = StopReason::timeout;
  } else if (result.exit_code == 128 + SIGXFSZ) {
    result.reason = StopReason::output_limit;
  } else if (result.exit_code > 128 && result.exit_code < 128 + 65) {
    result.reason = StopReason::signal;
  } else if (raised_memory_error(result.stderr_text)) {
    result.reason = StopReason::memory;
  } else {
    result.reason = StopReason::error;
  }
  return result;
}

void Sandbox::check_python_packages() const {
  // Generous limits: importing sympy takes seconds on a loaded machine, and a slow import
  // must not read as a missing package.
  SandboxConfig generous = config_;
  generous.limits.wall_seconds = std::max(generous.limits.wall_seconds, 120.0);
  generous.limits.cpu_seconds = std::max(generous.limits.cpu_seconds, 120);
  const SandboxResult r = Sandbox(generous).run(
      "import importlib\n"
      "missing = []\n"
      "for m, pkg in (('sympy', 'python3-sympy'), ('numpy', 'python3-numpy')):\n"
      "    try:\n"
      "        importlib.import_module(m)\n"
      "    except Exception as e:\n"
      "        missing.append(f'{m} ({pkg}: {type(e).__name__}: {e})')\n"
      "print('missing: ' + '; '.join(missing) if missing else 'ok')\n");
  const std::string out(trim(r.stdout_text));
  if (r.ok() && out == "ok") return;
  fail_hint(std::string("apt-get install python3-sympy python3-numpy (") + kSetupHint + ")",
            "sandbox: {} cannot import what model-written programs use: {}", config_.python,
            out.empty() ? r.describe() + ": " + std::string(trim(r.stderr_text)) : out);
}

}  // namespace dsmath::sandbox
