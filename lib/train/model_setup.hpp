#pragma once
// Where a stage's model comes from: init.from (a Hugging Face model directory, a dsmath
// checkpoint or a run directory, which defines the shape) or a random init of the configured
// shape. A reward model may start from a language model: the body is kept and the LM head is
// replaced by a freshly initialized score head.
#include <vector>

#include "model/model_config.hpp"
#include "model/transformer.hpp"
#include "tokenizer/tokenizer.hpp"
#include "train/train_config.hpp"

namespace dsmath {

// The model shape to build: config.json of init.from when set, else the configured one; the
// head is `head` either way.
ModelConfig resolve_model_config(const ModelConfig& configured, const InitConfig& init, ModelHead head = ModelHead::lm);
// Loads or draws the initial weights into the model; returns them as fp32 host values (the
// optimizer's master copy starts from these, not from a rounded device copy).
std::vector<float> initialize_weights(Transformer& model, const InitConfig& init);

// The tokenizer.json a stage uses: `configured`, else the one beside init.from's weights. `why`
// completes the error when there is none ("SFT renders conversations with it").
std::string resolve_tokenizer_path(const std::string& configured, const InitConfig& init, const std::string& why);

}  // namespace dsmath
