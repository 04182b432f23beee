#include "train/model_setup.hpp"

#include "config/yaml_writer.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "io/hf_model.hpp"

namespace dsmath {

ModelConfig resolve_model_config(const ModelConfig& configured, const InitConfig& init) {
  if (init.from.empty()) return configured;
  if (!std::filesystem::exists(init.from))
    fail_hint("init.from must be a Hugging Face model directory, a dsmath checkpoint or a run directory",
              "init.from '{}' does not exist", init.from);
  ModelConfig loaded = read_hf_config(resolve_model_dir(init.from));
  // A context length chosen for this run may differ from the source's (RoPE has no table).
  if (config::to_yaml_text(configured) != config::to_yaml_text(ModelConfig{}))
    log::warn("init.from '{}' defines the model shape; the model section of the config is ignored", init.from);
  return loaded;
}

std::vector<float> initialize_weights(Transformer& model, const InitConfig& init) {
  if (init.from.empty()) {
    return model.init_parameters(init.seed);
  }
  const auto dir = resolve_model_dir(init.from);
  log::info("loading weights from {}", dir.string());
  std::vector<float> weights = read_hf_weights(dir, model.config());
  model.set_parameters(weights);
  return weights;
}

}  // namespace dsmath
