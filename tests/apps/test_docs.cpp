// docs/config.md is generated from the config structs; this keeps it from drifting.
#include <catch2/catch.hpp>

#include "core/files.hpp"
#include "test_util.hpp"

using namespace dsmath;

TEST_CASE("docs/config.md is what `dsmath config docs` prints", "[cli][docs]") {
  const auto r = test::run_command(std::string(DSMATH_BINARY) + " config docs 2>/dev/null");
  REQUIRE(r.exit_code == 0);
  INFO("regenerate it: build/apps/dsmath/dsmath config docs > docs/config.md");
  CHECK(r.output == read_file(test::source_dir() / "docs" / "config.md"));
}

TEST_CASE("every shipped stage config loads", "[cli][docs]") {
  for (const auto& entry : fs::recursive_directory_iterator(test::source_dir() / "configs")) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().parent_path().filename().string();
    if (name == "model") continue;  // model shapes are included by the stage configs
    const auto r = test::run_command(std::string(DSMATH_BINARY) + " config show -c " + entry.path().string() +
                                     (name == "eval" || entry.path().filename().string().rfind("eval", 0) == 0 ? " --stage eval" : "") +
                                     " > /dev/null");
    INFO(entry.path().string() << "\n" << r.output);
    CHECK(r.exit_code == 0);
  }
}
