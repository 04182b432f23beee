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
    if (name == "model") continue;   // model shapes are included by the stage configs
    if (name == "suites") continue;  // eval suite files list eval configs (each loaded below as one)
    const auto r = test::run_command(std::string(DSMATH_BINARY) + " config show -c " + entry.path().string() +
                                     (name == "eval" || entry.path().filename().string().rfind("eval", 0) == 0 ? " --stage eval" : "") +
                                     " > /dev/null");
    INFO(entry.path().string() << "\n" << r.output);
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("scripts/pipeline.sh plans every stage with configs that resolve", "[cli][docs]") {
  const auto dir = test::temp_dir("pipeline_plan");
  const auto r = test::run_command("cd " + test::source_dir().string() + " && DSMATH=" + DSMATH_BINARY +
                                   " scripts/pipeline.sh --dry-run --runs " + dir.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const char* stage : {"== pretrain", "== eval-base", "== sft", "== eval-sft", "== rm", "== grpo", "== eval-rl"})
    CHECK(r.output.find(stage) != std::string::npos);
  // each training command's config, with the overrides the script adds, loads
  for (const std::string cmd : {"pretrain -c configs/pretrain/deepseekmath-7b.yaml",
                                "sft -c configs/sft/deepseekmath-instruct-7b.yaml --set init.from=x",
                                "rm -c configs/rm/deepseekmath-rm-7b.yaml --set init.from=x",
                                "grpo -c configs/grpo/deepseekmath-rl-7b.yaml --set init.from=x "
                                "--set 'rewards=[{kind: model, model: y, model_kind: outcome}]'"}) {
    const std::string stage = cmd.substr(0, cmd.find(' '));
    const auto show = test::run_command("cd " + test::source_dir().string() + " && " + DSMATH_BINARY + " config show --stage " +
                                        stage + cmd.substr(cmd.find(' ')) + " > /dev/null");
    INFO(cmd << "\n" << show.output);
    CHECK(show.exit_code == 0);
  }
}
