#pragma once
// Shared by the sandbox tests: a Sandbox with short limits, and the independent checks that a
// run left nothing behind (no process of its uid in /proc, no child to reap, no new file).
#include <sys/wait.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "reference.hpp"
#include "sandbox/sandbox.hpp"

namespace dsmath::test {

// bwrap and Debian's python3 with sympy and numpy (scripts/setup.sh); required in CI.
inline bool sandbox_available() {
  return ::access("/usr/bin/bwrap", X_OK) == 0 && ::access("/usr/bin/python3", X_OK) == 0 &&
         std::filesystem::exists("/usr/lib/python3/dist-packages/sympy") &&
         std::filesystem::exists("/usr/lib/python3/dist-packages/numpy");
}
#define REQUIRE_SANDBOX() \
  DSMATH_REQUIRE_REFERENCE(::dsmath::test::sandbox_available(), "bwrap + python3-sympy + python3-numpy (scripts/setup.sh)")

// Short limits so that the attack tests end in seconds; a uid range of this test process's own
// (ctest may run several test processes at once, and each checks that its uids run nothing).
inline sandbox::SandboxConfig test_sandbox_config() {
  sandbox::SandboxConfig c;
  c.parallel = 2;
  c.uid_base = 1900000000 + static_cast<int64_t>(::getpid() % 100000) * 16;
  c.limits.wall_seconds = 4;
  c.limits.cpu_seconds = 4;
  c.limits.memory_mb = 512;
  c.limits.output_kb = 64;
  c.limits.processes = 16;
  return c;
}

// Processes on the host whose real uid is `uid`, read from /proc/<pid>/status.
inline int processes_of_uid(unsigned uid) {
  int count = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "status");
    std::string line;
    while (std::getline(in, line))
      if (line.starts_with("Uid:")) {
        if (std::stoul(line.substr(4)) == uid) ++count;
        break;
      }
  }
  return count;
}

// This test process has no child left, running or zombie.
inline bool no_children_left() {
  int st = 0;
  return ::waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD;
}

inline std::set<std::string> listing(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

}  // namespace dsmath::test
