#include "infer/model_bundle.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "io/hf_model.hpp"

namespace dsmath {

namespace fs = std::filesystem;

ModelBundle load_model_bundle(const fs::path& path, Backend& backend, const std::string& tokenizer_path,
                              bool require_tokenizer, TransformerOptions options) {
  ModelBundle b;
  b.dir = resolve_model_dir(path);
  const ModelConfig config = read_hf_config(b.dir);
  b.model = std::make_unique<Transformer>(config, backend, options);
  b.model->set_parameters(read_hf_weights(b.dir, config));
  const fs::path tok = tokenizer_path.empty() ? b.dir / "tokenizer.json" : fs::path(tokenizer_path);
  if (fs::exists(tok)) {
    b.tokenizer = Tokenizer::load(tok);
    check_tokenizer_fits(*b.tokenizer, config.vocab_size, b.dir.string());
  } else if (require_tokenizer || !tokenizer_path.empty()) {
    fail_hint("pass --tokenizer path/to/tokenizer.json", "no tokenizer: '{}' does not exist", tok.string());
  }
  log::info("model: {} ({} parameters, {} layers, dim {})", b.dir.string(), config.num_parameters(), config.n_layers, config.dim);
  return b;
}

}  // namespace dsmath
