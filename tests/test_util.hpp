#pragma once
// Helpers shared by the test suites.
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/json.hpp"

namespace dsmath::test {

// The larger of a running worst error and a new one, a NaN being worse than anything: std::max
// drops a NaN (it compares false), and a NaN result would then pass every "error < bound".
inline double worse(double worst, double error) {
  if (std::isnan(worst)) return worst;
  return error <= worst ? worst : error;
}

// A fresh, empty directory under the build tree's temp area, named for the test.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto base = std::filesystem::temp_directory_path() / "dsmath-tests";
  auto dir = base / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// ../shared/data beside the checkout, or $DSMATH_SHARED_DATA; nullopt when absent (tests that
// need it skip with a message).
inline std::optional<std::filesystem::path> shared_data_dir() {
  if (const char* env = std::getenv("DSMATH_SHARED_DATA")) {
    if (std::filesystem::exists(env)) return std::filesystem::path(env);
  }
  auto p = std::filesystem::path(DSMATH_SOURCE_DIR).parent_path() / "shared" / "data";
  if (std::filesystem::exists(p)) return p;
  return std::nullopt;
}

inline std::filesystem::path source_dir() { return DSMATH_SOURCE_DIR; }

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string output;  // stdout and stderr together
};

// Runs a shell command, capturing its output.
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
  return r;
}

#ifdef DSMATH_BINARY
// The dsmath binary under test: the build's, or $DSMATH_TEST_BINARY where the tests run away
// from their build tree (the GPU bundle, scripts/gpu/run.sh).
inline std::string dsmath_binary() {
  const char* env = std::getenv("DSMATH_TEST_BINARY");
  return env != nullptr && *env != '\0' ? env : DSMATH_BINARY;
}
// `dsmath ARGS` with that binary.
inline CommandResult run_dsmath(const std::string& args) { return run_command(dsmath_binary() + " " + args); }
#endif

// The JSON values of a JSONL file, one per non-empty line (none when the file is missing).
inline std::vector<Json> read_jsonl(const std::filesystem::path& path) {
  std::vector<Json> values;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) values.push_back(Json::parse(line));
  return values;
}

}  // namespace dsmath::test
