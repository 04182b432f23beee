#pragma once
// Where a stage's model comes from: init.from (a Hugging Face model directory or a dsmath
// checkpoint, which defines the shape) or a random init of the configured shape.
#include <vector>

#include "model/model_config.hpp"
#include "model/transformer.hpp"
#include "train/train_config.hpp"

namespace dsmath {

// The model shape to build: config.json of init.from when set, else the configured one.
ModelConfig resolve_model_config(const ModelConfig& configured, const InitConfig& init);
// Loads or draws the initial weights into the model; returns them as fp32 host values (the
// optimizer's master copy starts from these, not from a rounded device copy).
std::vector<float> initialize_weights(Transformer& model, const InitConfig& init);

}  // namespace dsmath
