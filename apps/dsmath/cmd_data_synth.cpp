// dsmath data synth: the quickstart's small math world (docs/synth.md).
#include <fmt/format.h>

#include "cmd_data.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "synth/synth_dataset.hpp"

namespace dsmath::app {

namespace {

// "--problems sft=4000,heldout=300": per-file problem counts.
void apply_problem_counts(const std::vector<std::string>& entries, synth::SynthSpec& spec) {
  for (const auto& entry : entries) {
    const size_t eq = entry.find('=');
    const std::string key = eq == std::string::npos ? entry : entry.substr(0, eq);
    size_t* target = key == "sft" ? &spec.sft_problems
                     : key == "rl" ? &spec.rl_problems
                     : key == "heldout" ? &spec.heldout_problems
                                        : nullptr;
    if (target == nullptr || eq == std::string::npos)
      fail_hint("write --problems sft=N,rl=N,heldout=N (any of them)", "--problems: '{}' is not FILE=COUNT with FILE sft, rl or heldout",
                entry);
    const std::string value = entry.substr(eq + 1);
    try {
      size_t used = 0;
      const long long n = std::stoll(value, &used);
      if (used != value.size() || n < 0) throw std::invalid_argument(value);
      *target = static_cast<size_t>(n);
    } catch (const std::exception&) {
      fail_hint("counts are whole numbers >= 0", "--problems: '{}' is not a count in '{}'", value, entry);
    }
  }
}

}  // namespace

void register_data_synth(CLI::App& data) {
  auto* cmd = data.add_subcommand(
      "synth", "generate the quickstart's math world: web pages, seed pages, SFT/RL/held-out word problems");
  auto spec = std::make_shared<synth::SynthSpec>();
  auto out_dir = std::make_shared<std::string>();
  auto problem_counts = std::make_shared<std::vector<std::string>>();
  cmd->add_option("-o,--out", *out_dir, "output directory")->required();
  cmd->add_option("--seed", spec->seed, "random seed: the same seed gives the same files on every machine")
      ->capture_default_str();
  cmd->add_option("--problems", *problem_counts,
                  "problems per file, e.g. sft=4000,rl=1000,heldout=300 (defaults: sft=4000, rl=1000, heldout=300)")
      ->delimiter(',');
  cmd->add_option("--pages", spec->web.pages, "web.jsonl pages, copies included")->capture_default_str();
  cmd->add_option("--seed-pages", spec->seed_pages, "seed_math.jsonl pages")->capture_default_str();
  cmd->add_option("--extra-docs", spec->extra_documents, "pretrain_extra.jsonl documents")->capture_default_str();
  cmd->add_option("--math-fraction", spec->web.math_fraction, "fraction of web pages (originals) that are math")
      ->capture_default_str();
  cmd->add_option("--duplicate-fraction", spec->web.duplicate_fraction, "fraction of web pages that copy another")
      ->capture_default_str();
  cmd->add_option("--min-steps", spec->limits.min_steps, "fewest arithmetic steps of a problem (1-3)")->capture_default_str();
  cmd->add_option("--max-steps", spec->limits.max_steps, "most arithmetic steps of a problem (1-3)")->capture_default_str();
  cmd->add_option("--max-number", spec->limits.max_number, "largest count, price or distance a question states")
      ->capture_default_str();
  cmd->add_option("--max-factor", spec->limits.max_factor, "largest multiplier and divisor")->capture_default_str();
  cmd->add_option("--max-answer", spec->limits.max_answer, "largest intermediate result and answer")->capture_default_str();
  cmd->callback([=] {
    apply_problem_counts(*problem_counts, *spec);
    const auto files = synth::write_synth_dataset(*spec, *out_dir);
    for (const auto& f : files)
      fmt::print("synth: {} {} records, {} ({})\n", (std::filesystem::path(*out_dir) / f.file).string(), f.records,
                 human_bytes(static_cast<double>(f.bytes)), f.detail);
  });
}

}  // namespace dsmath::app
