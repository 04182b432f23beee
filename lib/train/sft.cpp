#include "train/sft.hpp"

#include "config/yaml_writer.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "io/hf_model.hpp"
#include "train/packed_dataset.hpp"

namespace dsmath {

namespace fs = std::filesystem;

TrainingSummary run_sft(const SftConfig& cfg, const RunOptions& run) {
  const std::string tokenizer_path =
      !cfg.tokenizer.empty() ? cfg.tokenizer
      : (!cfg.init.from.empty() && fs::exists(cfg.init.from)) ? (resolve_model_dir(cfg.init.from) / "tokenizer.json").string()
                                                               : "";
  if (tokenizer_path.empty() || !fs::exists(tokenizer_path))
    fail_hint("set tokenizer: path/to/tokenizer.json, or init.from a model directory that has one",
              "SFT needs the tokenizer to render conversations{}", tokenizer_path.empty() ? "" : " ('" + tokenizer_path + "' does not exist)");
  const Tokenizer tokenizer = Tokenizer::load(tokenizer_path);
  LmTrainingSpec spec{"sft", config::to_yaml_text(cfg), cfg.model, cfg.init, cfg.optim, cfg.train,
                      cfg.checkpoint, cfg.runtime, cfg.dist, tokenizer_path, {}};
  return run_lm_training(spec, run, [&](const ModelConfig& model) -> std::unique_ptr<BatchSource> {
    if (tokenizer.vocab_size() > static_cast<uint32_t>(model.vocab_size))
      fail_hint("use the tokenizer the model was trained with", "tokenizer '{}' defines {} ids but the model has {} embedding rows",
                tokenizer_path, tokenizer.vocab_size(), model.vocab_size);
    SftLoadStats stats;
    auto examples = load_sft_examples(cfg.data, tokenizer, stats);
    log::info("SFT data: {} examples, {} tokens ({} targets); {} truncated, {} dropped as too long, {} invalid skipped",
              stats.examples, stats.tokens, stats.target_tokens, stats.truncated, stats.dropped_too_long, stats.skipped_invalid);
    const int32_t pad = static_cast<int32_t>(tokenizer.pad_id().value_or(tokenizer.eos_id().value_or(0)));
    return std::make_unique<PackedDataset>(std::move(examples), cfg.data.seq_len,
                                           cfg.data.packing == SftPacking::document_masked, pad, cfg.train.seed);
  });
}

}  // namespace dsmath
