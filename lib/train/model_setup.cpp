#include "train/model_setup.hpp"

#include "config/yaml_writer.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "io/hf_model.hpp"

namespace dsmath {

ModelConfig resolve_model_config(const ModelConfig& configured, const InitConfig& init, ModelHead head) {
  if (init.from.empty()) {
    ModelConfig c = configured;
    c.head = head;
    return c;
  }
  if (!std::filesystem::exists(init.from))
    fail_hint("init.from must be a Hugging Face model directory, a dsmath checkpoint or a run directory",
              "init.from '{}' does not exist", init.from);
  ModelConfig loaded = read_hf_config(resolve_model_dir(init.from));
  if (config::to_yaml_text(configured) != config::to_yaml_text(ModelConfig{}))
    log::warn("init.from '{}' defines the model shape; the model section of the config is ignored", init.from);
  if (loaded.head == ModelHead::scalar && head == ModelHead::lm)
    fail_hint("start language-model stages from a language model (pretrain/SFT checkpoint)",
              "init.from '{}' is a reward model (scalar head)", init.from);
  loaded.head = head;
  return loaded;
}

std::vector<float> initialize_weights(Transformer& model, const InitConfig& init) {
  if (init.from.empty()) return model.init_parameters(init.seed);
  const auto dir = resolve_model_dir(init.from);
  const ModelConfig source = read_hf_config(dir);
  log::info("loading weights from {}", dir.string());
  if (source.head == model.config().head) {
    std::vector<float> weights = read_hf_weights(dir, model.config());
    model.set_parameters(weights);
    return weights;
  }
  // language model -> reward model: every tensor but the head comes from the source
  const std::vector<float> body = read_hf_weights(dir, source);
  const ParameterLayout from(source);
  std::vector<float> weights = model.init_parameters(init.seed);  // draws the score head
  for (const auto& t : model.layout().tensors())
    if (const ParamInfo* s = from.find(t.name))
      std::copy_n(body.begin() + s->offset, t.numel, weights.begin() + t.offset);
  model.set_parameters(weights);
  log::info("replaced the language-model head of {} with a score head (normal, std {})", dir.string(),
            model.config().init_std);
  return weights;
}

std::string resolve_tokenizer_path(const std::string& configured, const InitConfig& init, const std::string& why) {
  const std::string path = !configured.empty() ? configured
                           : (!init.from.empty() && std::filesystem::exists(init.from))
                               ? (resolve_model_dir(init.from) / "tokenizer.json").string()
                               : "";
  if (path.empty() || !std::filesystem::exists(path))
    fail_hint("set tokenizer: path/to/tokenizer.json, or init.from a model directory that has one", "no tokenizer{}: {}",
              path.empty() ? "" : " ('" + path + "' does not exist)", why);
  return path;
}

}  // namespace dsmath
