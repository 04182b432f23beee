#pragma once
// Hugging Face model directories: config.json (LlamaConfig) plus model.safetensors, or shards
// listed in model.safetensors.index.json. A dsmath checkpoint is such a directory, so what we
// train loads in transformers, and DeepSeek's released models load here.
#include <filesystem>
#include <vector>

#include "backend/tensor.hpp"
#include "model/model_config.hpp"
#include "model/parameter_layout.hpp"

namespace dsmath {

bool is_hf_model_dir(const std::filesystem::path& dir);
// A run directory resolves to its latest checkpoint; a model directory to itself.
std::filesystem::path resolve_model_dir(const std::filesystem::path& path);
ModelConfig read_hf_config(const std::filesystem::path& dir);
// Weights in the flat layout of `config` (fp32). Shapes are checked tensor by tensor; a
// missing tensor, a shape mismatch or an unexpected weight is an error naming it.
std::vector<float> read_hf_weights(const std::filesystem::path& dir, const ModelConfig& config);
// Writes config.json and model.safetensors (weights stored as `dtype`: f32, bf16 or f16).
void write_hf_model(const std::filesystem::path& dir, const ModelConfig& config, const std::vector<float>& weights,
                    DType dtype);

}  // namespace dsmath
