// dsmath data expand-seed: pages under the marked math URL paths join the seed.
#include <fmt/format.h>

#include "cmd_data.hpp"
#include "select/domains.hpp"

namespace dsmath::app {

void register_data_expand_seed(CLI::App& data) {
  auto* cmd = data.add_subcommand("expand-seed", "add the pool pages under marked URL path prefixes to the seed");
  auto options = add_data_options(cmd);
  auto seed = std::make_shared<std::vector<std::string>>();
  auto pool = std::make_shared<std::vector<std::string>>();
  auto marks = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("--seed", *seed, "the current seed pages")->required();
  cmd->add_option("--pool", *pool, "pages to take from (e.g. the scored pool)")->required();
  cmd->add_option("--marks", *marks, "marks file from `dsmath data domains --marks`, with math prefixes uncommented")
      ->required();
  cmd->add_option("-o,--output", *output, "the expanded seed (JSONL)")->required();
  cmd->callback([=] {
    const select::DataConfig config = options->load();
    const auto r = select::expand_seed(to_paths(*seed), to_paths(*pool), *marks, *output, config, options->format());
    std::string per_prefix;
    for (const auto& [prefix, n] : r.added_by_prefix) per_prefix += fmt::format("{}{} {}", per_prefix.empty() ? "" : ", ", prefix, n);
    fmt::print("expand-seed: {} seed pages + {} added from {} pool pages ({}){}; {:.1f}s -> {}\n", r.seed_pages, r.added,
               r.pool_pages, per_prefix,
               skipped_note(r.malformed), r.seconds, *output);
  });
}

}  // namespace dsmath::app
