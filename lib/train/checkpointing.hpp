#pragma once
// What a training checkpoint holds (DESIGN.md section 4) and how a run resumes from one:
//   model.safetensors + config.json   the weights as a Hugging Face LLaMA model
//   tokenizer.json                    when the run names one (then the directory is a complete HF model)
//   optimizer-rankR.safetensors       AdamW moments (and fp32 master weights) of rank R's range
//   trainer_state.json                step, tokens, data cursors, world size, config hash
//   config.yaml                       the resolved run config
#include <filesystem>
#include <functional>
#include <string>

#include "backend/tensor.hpp"
#include "core/json.hpp"
#include "dist/communicator.hpp"
#include "io/checkpoint_store.hpp"
#include "model/transformer.hpp"
#include "optim/adamw.hpp"

namespace dsmath {

struct CheckpointContents {
  const Transformer& model;
  const AdamW& optimizer;
  Json trainer_state;
  std::string config_yaml;
  std::string tokenizer_path;  // "" = none
  DType model_dtype = DType::f32;
  // stage-specific files written by rank 0 into the checkpoint directory (GRPO's reference model)
  std::function<void(const std::filesystem::path& dir)> extra_files = {};
};

// Writes the files above into `dir` (this rank's share of them); save_checkpoint does it in the
// store's temporary directory. A stage also calls it from extra_files for a second trained model
// whose optimizer state is replicated on every rank (PPO's value model, in a subdirectory).
void write_checkpoint_files(const std::filesystem::path& dir, Communicator& comm, const CheckpointContents& contents);

std::filesystem::path save_checkpoint(CheckpointStore& store, Communicator& comm, int64_t step,
                                      const CheckpointContents& contents);

// Restores weights and optimizer state (re-partitioned for this rank's range whatever world
// size wrote them) and returns trainer_state.json.
Json load_checkpoint(const std::filesystem::path& dir, Transformer& model, AdamW& optimizer);

DType parse_weight_dtype(const std::string& name);

}  // namespace dsmath
