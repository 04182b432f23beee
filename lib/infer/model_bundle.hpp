#pragma once
// A model ready to use: the weights of a Hugging Face model directory, a dsmath checkpoint or
// a run directory (its latest checkpoint), and the tokenizer that goes with them.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "io/hf_model.hpp"
#include "model/transformer.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath {

struct ModelBundle {
  std::filesystem::path dir;
  std::unique_ptr<Transformer> model;
  std::optional<Tokenizer> tokenizer;
};

// tokenizer_path "" = DIR/tokenizer.json when present; require_tokenizer makes its absence an error.
ModelBundle load_model_bundle(const std::filesystem::path& path, Backend& backend, const std::string& tokenizer_path,
                              bool require_tokenizer, TransformerOptions options = {false});

}  // namespace dsmath
