// dsmath data score: the math classifier's score for every page.
#include <fmt/format.h>

#include "cmd_data.hpp"
#include "core/strings.hpp"
#include "select/scoring.hpp"

namespace dsmath::app {

void register_data_score(CLI::App& data) {
  auto* cmd = data.add_subcommand("score", "add the math classifier's score to every page (JSONL or Common Crawl WET in)");
  auto options = add_data_options(cmd);
  auto io = add_inputs_and_output(cmd, "pages: JSONL (.jsonl, .jsonl.gz) or WET (.warc.wet.gz)", "scored pages (JSONL)");
  auto model = std::make_shared<std::string>();
  cmd->add_option("-m,--model", *model, "fastText model from train-classifier")->required();
  cmd->callback([=] {
    const select::DataConfig config = options->load();
    const auto r = select::score_pages(to_paths(io->inputs), *model, io->output, config, options->format());
    fmt::print("score: {} pages ({}) in {:.1f}s, {} on {} threads{}; mean {} {:.3f}, {} pages >= 0.5 -> {}\n", r.pages,
               human_bytes(static_cast<double>(r.bytes)), r.seconds,
               pages_per_second(static_cast<double>(r.pages), r.seconds), config.resolved_threads(),
               skipped_note(r.malformed), config.score_field, r.mean_score, r.at_least_half, io->output);
  });
}

}  // namespace dsmath::app
