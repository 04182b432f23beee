// dsmath: one binary, one subcommand per pipeline stage (DESIGN.md section 1).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "run_summary.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"
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

  // CLI11 answers an unknown command with "A subcommand is required"; name it and suggest one.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      const std::string guess = dsmath::closest_match(argv[1], names);
      std::fprintf(stderr, "dsmath: error: unknown command '%s'\nhint: %s\n", argv[1],
                   guess.empty() ? ("commands: " + dsmath::join(names, ", ")).c_str()
                                 : ("did you mean '" + guess + "'? (dsmath --help lists the commands)").c_str());
      return 1;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const dsmath::app::ExitStatus& e) {
    return e.code;
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
