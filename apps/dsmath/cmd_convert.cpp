// dsmath convert: between Hugging Face model directories and dsmath checkpoints. A dsmath
// checkpoint already is an HF directory; conversion normalizes: one model.safetensors in the
// chosen precision, config.json, tokenizer files, and no training state.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/strings.hpp"
#include "infer/model_bundle.hpp"
#include "io/hf_model.hpp"
#include "train/checkpointing.hpp"

namespace dsmath::app {

namespace {
struct ConvertOptions {
  std::string input, output, dtype, tokenizer;
};

void convert(const ConvertOptions& o, const std::string& direction) {
  const fs::path in = resolve_model_dir(o.input);
  const fs::path out = o.output;
  if (fs::exists(out / "config.json")) fail_hint("choose a new --output directory", "'{}' already holds a model", out.string());
  const ModelConfig config = read_hf_config(in);
  const std::vector<float> weights = read_hf_weights(in, config);
  const std::string tokenizer = o.tokenizer.empty() ? (in / "tokenizer.json").string() : o.tokenizer;
  if (fs::exists(tokenizer)) check_tokenizer_fits(Tokenizer::load(tokenizer), config.vocab_size, in.string());
  make_directories(out);
  write_hf_model(out, config, weights, parse_weight_dtype(o.dtype));
  int copied = 0;
  if (fs::exists(tokenizer)) {
    write_file_atomic(out / "tokenizer.json", read_file(tokenizer));
    ++copied;
  }
  for (const char* extra : {"tokenizer_config.json", "generation_config.json", "special_tokens_map.json"})
    if (fs::exists(in / extra)) {
      write_file_atomic(out / extra, read_file(in / extra));
      ++copied;
    }
  std::cout << fmt::format("convert {}: {} -> {} ({} parameters, {}, {} tokenizer/config files)\n", direction, in.string(),
                           out.string(), human_count(static_cast<double>(config.num_parameters())), o.dtype, copied);
}

void add_direction(CLI::App* parent, const std::string& name, const std::string& help, const std::string& default_dtype) {
  auto o = std::make_shared<ConvertOptions>();
  o->dtype = default_dtype;
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("-i,--input", o->input, "model directory, checkpoint or run directory")->required();
  cmd->add_option("-o,--output", o->output, "new model directory")->required();
  cmd->add_option("--dtype", o->dtype, "weights precision: f32, bf16 or f16")->capture_default_str();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.json to include (default: the input's)");
  cmd->callback([o, name] { convert(*o, name); });
}
}  // namespace

void register_convert_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("convert", "convert between Hugging Face model directories and dsmath checkpoints");
  cmd->require_subcommand(1);
  add_direction(cmd, "hf-to-dsmath", "an HF model (any precision, sharded or not) -> a dsmath model directory (fp32 for training)", "f32");
  add_direction(cmd, "dsmath-to-hf", "a dsmath checkpoint or run -> a plain HF model directory (no training state)", "bf16");
}

}  // namespace dsmath::app
