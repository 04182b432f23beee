#include "train/sft.hpp"

#include "core/log.hpp"
#include "train/model_setup.hpp"
#include "train/packed_dataset.hpp"

namespace dsmath {

TrainingSummary run_sft(const SftConfig& cfg, const RunOptions& run) {
  const std::string tokenizer_path =
      resolve_tokenizer_path(cfg.tokenizer, cfg.init, "SFT renders conversations with the chat format and tokenizes them");
  const Tokenizer tokenizer = Tokenizer::load(tokenizer_path);
  const LmTrainingSpec spec = lm_training_spec("sft", cfg, tokenizer_path);
  return run_lm_training(spec, run, [&](const ModelConfig& model) -> std::unique_ptr<BatchSource> {
    check_tokenizer_fits(tokenizer, model.vocab_size, cfg.init.from);
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
