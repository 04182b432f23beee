// dsmath data: the DeepSeekMath corpus selection pipeline (paper section 2.1; docs/data.md).
#include "cmd_data.hpp"

#include "commands.hpp"
#include "core/strings.hpp"

#include <fmt/format.h>

namespace dsmath::app {

select::DataConfig DataOptions::load() const {
  config::ConfigSources sources = config.sources();
  sources.overrides.insert(sources.overrides.end(), knob_overrides.begin(), knob_overrides.end());
  return config::load_config<select::DataConfig>(sources);
}

std::shared_ptr<DataOptions> add_data_options(CLI::App* cmd) {
  auto options = std::make_shared<DataOptions>();
  add_config_options(cmd, options->config);
  add_knob(cmd, *options, "-j,--threads", "threads", "worker threads (0: all cores)");
  cmd->add_option("--input-format", options->input_format,
                  "auto (by extension: .wet/.warc[.gz] are WET, the rest JSONL), jsonl or wet")
      ->check(CLI::IsMember({"auto", "jsonl", "wet"}));
  return options;
}

void add_knob(CLI::App* cmd, DataOptions& options, const std::string& flag, const std::string& config_key,
              const std::string& help) {
  cmd->add_option_function<std::string>(
      flag, [&options, config_key](const std::string& value) { options.knob_overrides.push_back(config_key + "=" + value); },
      help + " (--set " + config_key + ")");
}

std::shared_ptr<PagesInOut> add_inputs_and_output(CLI::App* cmd, const std::string& inputs_help,
                                                  const std::string& output_help) {
  auto io = std::make_shared<PagesInOut>();
  cmd->add_option("inputs", io->inputs, inputs_help)->required();
  cmd->add_option("-o,--output", io->output, output_help)->required();
  return io;
}

std::vector<std::filesystem::path> to_paths(const std::vector<std::string>& names) {
  return std::vector<std::filesystem::path>(names.begin(), names.end());
}

std::string skipped_note(uint64_t malformed) {
  if (malformed == 0) return {};
  return fmt::format(", {} malformed record{} skipped (see warnings)", malformed, malformed == 1 ? "" : "s");
}

std::string pages_per_second(double pages, double seconds) {
  return human_count(seconds > 0 ? pages / seconds : 0.0) + " pages/s";
}

void register_data_command(CLI::App& app) {
  auto* data = app.add_subcommand("data", "corpus selection: classify, select, dedup, find math domains, decontaminate");
  data->require_subcommand(1);
  register_data_train_classifier(*data);
  register_data_score(*data);
  register_data_select(*data);
  register_data_dedup(*data);
  register_data_domains(*data);
  register_data_expand_seed(*data);
  register_data_decontaminate(*data);
  register_data_synth(*data);
}

}  // namespace dsmath::app
