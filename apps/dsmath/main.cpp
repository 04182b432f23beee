// dsmath: one binary, one subcommand per pipeline stage (DESIGN.md section 1).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "commands.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "dist/launch.hpp"

int main(int argc, char** argv) {
  CLI::App app{"dsmath: the DeepSeekMath pipeline (corpus selection, pretraining, SFT, GRPO, evaluation)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", DSMATH_VERSION);
  app.fallthrough();
  bool quiet = false, verbose = false;
  app.add_flag("-q,--quiet", quiet, "only warnings and errors");
  app.add_flag("-v,--verbose", verbose, "debug output");
  app.parse_complete_callback([&] {
    if (quiet) dsmath::log::set_level(dsmath::log::Level::warn);
    if (verbose) dsmath::log::set_level(dsmath::log::Level::debug);
  });

  dsmath::app::register_all_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const dsmath::Error& e) {
    dsmath::log::clear_status();
    std::fprintf(stderr, "dsmath: error: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "hint: %s\n", e.hint().c_str());
    dsmath::abort_job_if_distributed(1);  // peers must not wait for this rank forever
    return 1;
  } catch (const std::exception& e) {
    dsmath::log::clear_status();
    std::fprintf(stderr, "dsmath: internal error: %s\nthis is a bug in dsmath; please report it with the command line\n",
                 e.what());
    dsmath::abort_job_if_distributed(3);
    return 3;
  }
  return 0;
}
