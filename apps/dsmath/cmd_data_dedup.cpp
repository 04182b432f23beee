// dsmath data dedup: exact URL dedup and MinHash LSH near-dedup.
#include <fmt/format.h>

#include "cmd_data.hpp"
#include "select/dedup.hpp"

namespace dsmath::app {

void register_data_dedup(CLI::App& data) {
  auto* cmd = data.add_subcommand("dedup", "drop pages with a seen URL and near-duplicates (MinHash LSH), keeping the first");
  auto options = add_data_options(cmd);
  auto io = add_inputs_and_output(cmd, "pages (JSONL or WET)", "kept pages (JSONL, input order)");
  auto removed = std::make_shared<std::string>();
  cmd->add_option("--removed", *removed, "write a JSONL line per dropped page: reason and the page kept instead");
  add_knob(cmd, *options, "--bands", "dedup.bands", "LSH bands");
  add_knob(cmd, *options, "--rows", "dedup.rows", "MinHash values per band");
  add_knob(cmd, *options, "--shingle-words", "dedup.shingle_words", "words per shingle");
  add_knob(cmd, *options, "--url-dedup", "dedup.url_dedup", "true/false: exact dedup on normalized URLs");
  add_knob(cmd, *options, "--near-dedup", "dedup.near_dedup", "true/false: MinHash near-dedup");
  cmd->callback([=] {
    const select::DataConfig config = options->load();
    std::optional<std::filesystem::path> removed_path;
    if (!removed->empty()) removed_path = *removed;
    const auto r = select::dedup_pages(to_paths(io->inputs), io->output, removed_path, config, options->format());
    fmt::print("dedup: kept {} of {} pages: {} URL duplicates, {} near-duplicates in {} clusters ({}x{} bands x rows, "
               "{}-word shingles){}; {:.1f}s, {} -> {}\n",
               r.pages_out, r.pages_in, r.url_duplicates, r.near_duplicates, r.duplicate_clusters, config.dedup.bands,
               config.dedup.rows, config.dedup.shingle_words,
               skipped_note(r.malformed), r.seconds, pages_per_second(static_cast<double>(r.pages_in), r.seconds),
               io->output);
  });
}

}  // namespace dsmath::app
