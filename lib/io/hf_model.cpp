#include "io/hf_model.hpp"

#include <map>
#include <memory>
#include <set>

#include <fmt/ranges.h>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "core/log.hpp"
#include "io/checkpoint_store.hpp"
#include "io/safetensors.hpp"

namespace dsmath {

namespace fs = std::filesystem;


bool is_hf_model_dir(const fs::path& dir) {
  return fs::exists(dir / "config.json") &&
         (fs::exists(dir / "model.safetensors") || fs::exists(dir / "model.safetensors.index.json"));
}

fs::path resolve_model_dir(const fs::path& path) {
  if (!fs::exists(path)) fail_hint("pass a model directory, a checkpoint (step-NNNNNNN) or a run directory", "model '{}' does not exist", path.string());
  if (fs::exists(path / "config.json")) return path;
  if (fs::is_directory(path / "checkpoints")) {
    CheckpointStore store(path / "checkpoints", 0);
    if (auto latest = store.latest()) return *latest;
    fail_hint("the run has not written a checkpoint yet", "run directory '{}' has no checkpoint", path.string());
  }
  fail_hint("pass a model directory (config.json + model.safetensors), a checkpoint or a run directory",
            "'{}' is not a model directory", path.string());
}

ModelConfig read_hf_config(const fs::path& dir) {
  const fs::path path = dir / "config.json";
  if (!fs::exists(path))
    fail_hint("point to a Hugging Face model directory or a dsmath checkpoint (step-NNNNNNN)", "'{}' has no config.json",
              dir.string());
  return ModelConfig::from_hf_config(read_json_file(path), path.string());
}

std::vector<float> read_hf_weights(const fs::path& dir, const ModelConfig& config) {
  // name -> shard file
  std::map<std::string, fs::path> where;
  if (fs::exists(dir / "model.safetensors.index.json")) {
    const fs::path index_path = dir / "model.safetensors.index.json";
    const Json index = read_json_file(index_path);
    if (!index.contains("weight_map") || !index["weight_map"].is_object())
      fail("{}: missing 'weight_map'", index_path.string());
    for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) where[it.key()] = dir / it->get<std::string>();
  } else if (fs::exists(dir / "model.safetensors")) {
    SafetensorsReader single(dir / "model.safetensors");
    for (const auto& e : single.entries()) where[e.name] = dir / "model.safetensors";
  } else {
    fail_hint("a model directory holds model.safetensors (or a sharded index)", "'{}' has no model.safetensors", dir.string());
  }

  ParameterLayout layout(config);
  std::vector<float> weights(static_cast<size_t>(layout.total()), 0.0f);
  std::map<fs::path, std::unique_ptr<SafetensorsReader>> open;
  std::set<std::string> used;
  for (const auto& t : layout.tensors()) {
    auto it = where.find(t.name);
    if (it == where.end())
      fail_hint("the checkpoint does not match config.json, or is not a LLaMA-architecture model",
                "'{}': missing tensor '{}'", dir.string(), t.name);
    auto& reader = open[it->second];
    if (!reader) reader = std::make_unique<SafetensorsReader>(it->second);
    const SafetensorsEntry& e = reader->get(t.name);
    if (e.shape != t.shape)
      fail_hint("config.json and the weights disagree", "'{}': tensor '{}' has shape {}, the config implies {}",
                it->second.string(), t.name, fmt::join(e.shape, "x"), fmt::join(t.shape, "x"));
    reader->read_f32(e, std::span<float>(weights.data() + t.offset, static_cast<size_t>(t.numel)));
    used.insert(t.name);
  }
  for (const auto& [name, file] : where) {
    if (used.count(name)) continue;
    // Older LLaMA exports carry the RoPE table as a buffer; it is recomputed, not learned.
    if (name.find("rotary_emb.inv_freq") != std::string::npos) continue;
    if (name == "lm_head.weight" && config.tie_embeddings) {
      log::warn("'{}': ignoring lm_head.weight because tie_word_embeddings is true", dir.string());
      continue;
    }
    fail_hint("this model has weights dsmath does not know; is it a LLaMA-architecture model?",
              "'{}': unexpected tensor '{}'", file.string(), name);
  }
  return weights;
}

void write_hf_model(const fs::path& dir, const ModelConfig& config, const std::vector<float>& weights, DType dtype) {
  ParameterLayout layout(config);
  if (static_cast<int64_t>(weights.size()) != layout.total())
    fail("write_hf_model: {} weights for a layout of {}", weights.size(), layout.total());
  SafetensorsWriter w;
  w.set_metadata("format", "pt");  // transformers expects this key
  for (const auto& t : layout.tensors())
    w.add(t.name, t.shape, std::span<const float>(weights.data() + t.offset, static_cast<size_t>(t.numel)), dtype);
  w.write(dir / "model.safetensors");
  Json hf = config.to_hf_config();
  hf["torch_dtype"] = dtype == DType::f32 ? "float32" : dtype == DType::bf16 ? "bfloat16" : "float16";
  write_file_atomic(dir / "config.json", hf.dump(2) + "\n");
}

}  // namespace dsmath
