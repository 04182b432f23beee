// dsmath data decontaminate: drop pages (or lines) that hold benchmark text.
#include <fmt/format.h>

#include "cmd_data.hpp"
#include "select/decontamination.hpp"

namespace dsmath::app {

void register_data_decontaminate(CLI::App& data) {
  auto* cmd = data.add_subcommand(
      "decontaminate", "remove pages sharing a 10-gram with benchmark questions/answers (or holding a short one whole)");
  auto options = add_data_options(cmd);
  auto io = add_inputs_and_output(cmd, "pages (JSONL or WET)", "clean pages (JSONL)");
  auto report = std::make_shared<std::string>();
  cmd->add_option("--report", *report, "JSONL line per removed or trimmed page: what matched, from which benchmark");
  add_knob(cmd, *options, "--benchmark-dir", "decontamination.benchmark_dir",
           "folder the benchmark paths resolve against (e.g. ../shared/data)");
  add_knob(cmd, *options, "--unit", "decontamination.unit", "document or segment (drop only matching lines)");
  add_knob(cmd, *options, "--ngram", "decontamination.ngram", "n of the shared n-gram");
  cmd->callback([=] {
    const select::DataConfig config = options->load();
    const select::ContaminationIndex index = select::build_contamination_index(config.decontamination);
    std::optional<std::filesystem::path> report_path;
    if (!report->empty()) report_path = *report;
    const auto r = select::decontaminate_pages(to_paths(io->inputs), io->output, report_path, index, config,
                                               options->format());
    std::string by_benchmark;
    for (const auto& [name, n] : r.pages_by_benchmark)
      if (n > 0) by_benchmark += fmt::format("{}{} {}", by_benchmark.empty() ? "" : ", ", name, n);
    fmt::print("decontaminate: kept {} of {} pages: {} removed{} ({}); index {} texts, {} {}-grams, {} short texts{}; "
               "{:.1f}s -> {}\n",
               r.pages_out, r.pages_in, r.pages_removed,
               config.decontamination.unit == "segment"
                   ? fmt::format(", {} trimmed ({} lines removed)", r.pages_trimmed, r.segments_removed)
                   : "",
               by_benchmark.empty() ? "no matches" : "pages matched: " + by_benchmark, r.indexed_texts,
               r.indexed_ngrams, config.decontamination.ngram, r.indexed_short_texts,
               skipped_note(r.malformed), r.seconds, io->output);
  });
}

}  // namespace dsmath::app
