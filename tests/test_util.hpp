#pragma once
// Helpers shared by the test suites.
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <unistd.h>

namespace dsmath::test {

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

}  // namespace dsmath::test
