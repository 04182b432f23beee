// dsmath data domains: math-related domains and their URL path prefixes, for marking.
#include <fmt/format.h>

#include "cmd_data.hpp"
#include "select/domains.hpp"

namespace dsmath::app {

void register_data_domains(CLI::App& data) {
  auto* cmd = data.add_subcommand(
      "domains", "per-domain pages seen vs selected; list math-related domains with their common URL path prefixes");
  auto options = add_data_options(cmd);
  auto seen = std::make_shared<std::vector<std::string>>();
  auto selected = std::make_shared<std::vector<std::string>>();
  auto output = std::make_shared<std::string>();
  auto marks = std::make_shared<std::string>();
  auto all_domains = std::make_shared<std::string>();
  auto auto_mark = std::make_shared<double>(-1);
  cmd->add_option("--seen", *seen, "every page considered (the scored pool)")->required();
  cmd->add_option("--selected", *selected, "the selected pages")->required();
  cmd->add_option("-o,--output", *output, "report: one JSONL line per math-related domain")->required();
  cmd->add_option("--all-domains", *all_domains, "write the seen/selected counts of every domain (JSONL)");
  cmd->add_option("--marks", *marks, "write a marks file listing the path prefixes, commented out, to edit");
  cmd->add_option("--auto-mark", *auto_mark,
                  "in the marks file, leave uncommented the prefixes with at least this fraction selected")
      ->check(CLI::Range(0.0, 1.0));
  add_knob(cmd, *options, "--min-fraction", "domains.min_fraction", "list domains with more than this fraction selected");
  cmd->callback([=] {
    const select::DataConfig config = options->load();
    select::DomainsOutputs outputs;
    outputs.report = *output;
    if (!all_domains->empty()) outputs.all_domains = *all_domains;
    if (!marks->empty()) outputs.marks = *marks;
    if (*auto_mark >= 0) {
      if (!outputs.marks) throw CLI::ValidationError("--auto-mark", "needs --marks FILE");
      outputs.auto_mark_fraction = *auto_mark;
    }
    const auto& marks_path = outputs.marks;
    const auto& auto_fraction = outputs.auto_mark_fraction;
    const auto r = select::find_math_domains(to_paths(*seen), to_paths(*selected), outputs, config, options->format());
    fmt::print("domains: {} of {} domains have more than {:.0f}% of their pages selected ({} pages seen, {} selected{}){}"
               "; {:.1f}s -> {}{}\n",
               r.math_domains.size(), r.domains_seen, 100 * config.domains.min_fraction, r.pages_seen, r.pages_selected,
               r.pages_without_url > 0 ? fmt::format(", {} without URL", r.pages_without_url) : "",
               skipped_note(r.malformed), r.seconds, *output,
               marks_path ? fmt::format(", marks in {}{}", marks_path->string(),
                                        auto_fraction ? fmt::format(" ({} prefixes auto-marked)", r.auto_marked) : "")
                          : "");
  });
}

}  // namespace dsmath::app
