// dsmath data select: keep the highest-scoring pages.
#include <fmt/format.h>

#include "cmd_data.hpp"
#include "core/strings.hpp"
#include "select/scoring.hpp"

namespace dsmath::app {

void register_data_select(CLI::App& data) {
  auto* cmd = data.add_subcommand("select", "keep the top pages by score up to a token or page budget, or above a threshold");
  auto options = add_data_options(cmd);
  auto io = add_inputs_and_output(cmd, "scored pages (JSONL from `dsmath data score`)",
                                  "selected pages (JSONL, input order)");
  // a budget flag replaces whichever budget the config file sets
  auto budget_flag = [&](const std::string& flag, const std::string& key, const std::string& other_key,
                         const std::string& help) {
    cmd->add_option_function<std::string>(
        flag,
        [options, key, other_key](const std::string& v) {
          options->knob_overrides.push_back(key + "=" + v);
          options->knob_overrides.push_back(other_key + "=null");
        },
        help + " (--set " + key + ")");
  };
  budget_flag("--budget-tokens", "select.budget_tokens", "select.budget_pages", "keep the top pages up to this many tokens");
  budget_flag("--budget-pages", "select.budget_pages", "select.budget_tokens", "keep the top pages up to this many pages");
  add_knob(cmd, *options, "--threshold", "select.threshold", "keep pages scoring at least this");
  cmd->callback([=] {
    const select::DataConfig config = options->load();
    const auto r = select::select_pages(to_paths(io->inputs), io->output, config, options->format());
    fmt::print("select: kept {} of {} pages, {} of {} tokens{}{}; {:.1f}s -> {}\n", r.pages_out, r.pages_in,
               human_count(r.tokens_out), human_count(r.tokens_in),
               r.lowest_kept_score ? fmt::format(", lowest kept score {:.4f}", *r.lowest_kept_score) : "",
               skipped_note(r.malformed), r.seconds, io->output);
  });
}

}  // namespace dsmath::app
