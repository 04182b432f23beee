#pragma once
// `dsmath data ...`: the corpus selection subcommands (docs/data.md). Each file
// cmd_data_<name>.cpp registers one of them on the `data` group.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common_options.hpp"
#include "select/data_config.hpp"
#include "select/page_source.hpp"

namespace dsmath::app {

// Options every data subcommand has: --config/--set, --threads, --input-format, and
// "knob" flags that are shorthands for --set (--bands 14 is --set dedup.bands=14).
struct DataOptions {
  ConfigOptions config;
  std::vector<std::string> knob_overrides;  // from the knob flags, applied after --set
  std::string input_format = "auto";

  select::DataConfig load() const;
  select::InputFormat format() const { return select::parse_input_format(input_format); }
};

std::shared_ptr<DataOptions> add_data_options(CLI::App* cmd);
// Adds `--flag VALUE` that means `--set config_key=VALUE`.
void add_knob(CLI::App* cmd, DataOptions& options, const std::string& flag, const std::string& config_key,
              const std::string& help);

// The positional input files and -o/--output of the commands that stream pages through.
struct PagesInOut {
  std::vector<std::string> inputs;
  std::string output;
};
std::shared_ptr<PagesInOut> add_inputs_and_output(CLI::App* cmd, const std::string& inputs_help,
                                                  const std::string& output_help);
std::vector<std::filesystem::path> to_paths(const std::vector<std::string>& names);

// "1.2k pages/s" style rate for summaries.
std::string pages_per_second(double pages, double seconds);
// ", 3 malformed records skipped (see warnings)" or "" for the summaries.
std::string skipped_note(uint64_t malformed);

void register_data_train_classifier(CLI::App& data);
void register_data_score(CLI::App& data);
void register_data_select(CLI::App& data);
void register_data_dedup(CLI::App& data);
void register_data_domains(CLI::App& data);
void register_data_expand_seed(CLI::App& data);
void register_data_decontaminate(CLI::App& data);
void register_data_synth(CLI::App& data);

}  // namespace dsmath::app
