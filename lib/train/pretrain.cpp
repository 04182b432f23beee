#include "train/pretrain.hpp"

#include "config/yaml_writer.hpp"
#include "data/mixture.hpp"

namespace dsmath {

TrainingSummary run_pretrain(const PretrainConfig& cfg, const RunOptions& run) {
  LmTrainingSpec spec{"pretrain", config::to_yaml_text(cfg), cfg.model, cfg.init, cfg.optim, cfg.train,
                      cfg.checkpoint, cfg.runtime, cfg.dist, cfg.tokenizer, {}};
  return run_lm_training(spec, run, [&](const ModelConfig& model) {
    return std::make_unique<MixtureLoader>(cfg.data, cfg.train.seed, model.vocab_size);
  });
}

}  // namespace dsmath
