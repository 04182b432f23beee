#pragma once
// Reference checks: tests that compare dsmath with an independent implementation (a Python
// package, a data file in ../shared/data). On a developer's machine a missing reference skips
// the case with a message; in CI (DSMATH_REQUIRE_REFERENCES=1, or CI=true) it fails, naming
// what is missing, because a skipped reference check checks nothing.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "test_util.hpp"

namespace dsmath::test {

// The interpreter of the project's reference environment (scripts/test.sh exports
// DSMATH_PYTHON after creating it), else python3 from PATH.
inline std::string reference_python() {
  const char* env = std::getenv("DSMATH_PYTHON");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("python3");
}

inline bool references_required() {
  for (const char* name : {"DSMATH_REQUIRE_REFERENCES", "CI"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && (std::string_view(v) == "1" || std::string_view(v) == "true")) return true;
  }
  return false;
}

// False, with a "skipped:" warning, when a reference is missing on a developer's machine; a
// failure of the test case naming it in CI. CTest marks a case that printed "skipped:" as
// skipped (cmake/DsmathTargets.cmake), so a skip is counted, never taken for a pass.
inline bool reference_present(bool available, const std::string& what) {
  if (available) return true;
  if (references_required()) FAIL("missing reference: " << what << " (required: DSMATH_REQUIRE_REFERENCES or CI is set)");
  WARN("skipped: missing reference: " << what);
  return false;
}

// ../shared/data (or $DSMATH_SHARED_DATA) as a reference: nullopt with a skip on a developer's
// machine, a failure in CI.
inline std::optional<std::filesystem::path> required_shared_data() {
  auto data = shared_data_dir();
  reference_present(data.has_value(), "../shared/data (set DSMATH_SHARED_DATA)");
  return data;
}

}  // namespace dsmath::test

// DSMATH_REQUIRE_REFERENCE(available, "python package `tokenizers`"): when `available` is
// false, skips the rest of the test case (developer machine) or fails it (CI).
#define DSMATH_REQUIRE_REFERENCE(available, what)                                   \
  do {                                                                              \
    std::ostringstream dsmath_reference_what_;                                      \
    dsmath_reference_what_ << what;                                                 \
    if (!::dsmath::test::reference_present((available), dsmath_reference_what_.str())) { \
      SUCCEED();                                                                    \
      return;                                                                       \
    }                                                                               \
  } while (0)
