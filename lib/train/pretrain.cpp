#include "train/pretrain.hpp"

#include "data/mixture.hpp"

namespace dsmath {

TrainingSummary run_pretrain(const PretrainConfig& cfg, const RunOptions& run) {
  const LmTrainingSpec spec = lm_training_spec("pretrain", cfg, cfg.tokenizer);
  return run_lm_training(spec, run, [&](const ModelConfig& model) {
    return std::make_unique<MixtureLoader>(cfg.data, cfg.train.seed, model.vocab_size);
  });
}

}  // namespace dsmath
