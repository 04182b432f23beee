#include "train/checkpointing.hpp"

#include <regex>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "io/hf_model.hpp"
#include "io/safetensors.hpp"

namespace dsmath {

namespace fs = std::filesystem;

DType parse_weight_dtype(const std::string& name) {
  if (name == "f32") return DType::f32;
  if (name == "bf16") return DType::bf16;
  if (name == "f16") return DType::f16;
  fail_hint("use f32, bf16 or f16", "unknown weight dtype '{}'", name);
}

namespace {
void write_optimizer_state(const fs::path& dir, const AdamW& opt, int rank) {
  SafetensorsWriter w;
  w.set_metadata("begin", std::to_string(opt.begin()));
  w.set_metadata("end", std::to_string(opt.end()));
  w.set_metadata("steps_taken", std::to_string(opt.steps_taken()));
  const int64_t n = opt.end() - opt.begin();
  w.add("exp_avg", {n}, opt.get_m());
  w.add("exp_avg_sq", {n}, opt.get_v());
  if (opt.has_master()) w.add("master", {n}, opt.get_master());
  w.write(dir / fmt::format("optimizer-rank{}.safetensors", rank));
}
}  // namespace

void write_checkpoint_files(const fs::path& dir, Communicator& comm, const CheckpointContents& c) {
  const AdamW& opt = c.optimizer;
  // Under ZeRO-1 each rank writes its shard; otherwise every rank holds the same full state
  // and rank 0 writes it for all.
  const bool replicated = opt.begin() == 0 && opt.end() == c.model.num_params();
  if (!replicated || comm.is_root()) write_optimizer_state(dir, opt, comm.rank());
  if (!comm.is_root()) return;
  // fp32 master weights when the model computes in lower precision (and this rank holds them all)
  const std::vector<float> weights = opt.has_master() && replicated ? opt.get_master() : c.model.get_parameters();
  write_hf_model(dir, c.model.config(), weights, c.model_dtype);
  if (!c.tokenizer_path.empty()) write_file_atomic(dir / "tokenizer.json", read_file(c.tokenizer_path));
  write_file_atomic(dir / "trainer_state.json", c.trainer_state.dump(2) + "\n");
  if (!c.config_yaml.empty()) write_file_atomic(dir / "config.yaml", c.config_yaml);
  if (c.extra_files) c.extra_files(dir);
}

fs::path save_checkpoint(CheckpointStore& store, Communicator& comm, int64_t step, const CheckpointContents& c) {
  return store.save(step, comm, [&](const fs::path& dir) { write_checkpoint_files(dir, comm, c); });
}

Json load_checkpoint(const fs::path& dir, Transformer& model, AdamW& optimizer) {
  const fs::path state_path = dir / "trainer_state.json";
  if (!fs::exists(state_path))
    fail_hint("resume needs a training checkpoint (use init.from to start from plain model weights)",
              "'{}' has no trainer_state.json", dir.string());
  const Json state = read_json_file(state_path);
  const ModelConfig saved = read_hf_config(dir);
  const ModelConfig& cur = model.config();
  if (saved.vocab_size != cur.vocab_size || saved.dim != cur.dim || saved.n_layers != cur.n_layers ||
      saved.n_heads != cur.n_heads || saved.n_kv_heads != cur.n_kv_heads || saved.ffn_dim != cur.ffn_dim ||
      saved.tie_embeddings != cur.tie_embeddings)
    fail_hint("resume with the model config of the original run", "checkpoint '{}' holds a different model shape",
              dir.string());
  const std::vector<float> weights = read_hf_weights(dir, cur);
  model.set_parameters(weights);

  // Optimizer shards: assemble the moments over [begin, end) of this rank from whichever
  // ranks wrote them (the writing world size may differ from ours).
  const int64_t b = optimizer.begin(), e = optimizer.end(), n = e - b;
  std::vector<float> m(static_cast<size_t>(n)), v(static_cast<size_t>(n)), master;
  if (optimizer.has_master()) master.assign(static_cast<size_t>(n), 0.0f);
  std::vector<int64_t> covered(static_cast<size_t>(n), 0);
  bool any_master = false;
  int64_t steps_taken = -1;
  const std::regex shard_name(R"(optimizer-rank(\d+)\.safetensors)");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!std::regex_match(entry.path().filename().string(), shard_name)) continue;
    ++files;
    SafetensorsReader r(entry.path());
    const auto& meta = r.metadata();
    if (!meta.count("begin") || !meta.count("end")) fail("{}: missing begin/end metadata", entry.path().string());
    const int64_t fb = std::stoll(meta.at("begin")), fe = std::stoll(meta.at("end"));
    if (meta.count("steps_taken")) steps_taken = std::stoll(meta.at("steps_taken"));
    const int64_t lo = std::max(b, fb), hi = std::min(e, fe);
    if (lo >= hi) continue;
    // read only the overlap [lo, hi) of this file's range [fb, fe) with ours [b, e)
    const auto count = static_cast<size_t>(hi - lo);
    r.read_f32_range(r.get("exp_avg"), lo - fb, std::span<float>(m.data() + (lo - b), count));
    r.read_f32_range(r.get("exp_avg_sq"), lo - fb, std::span<float>(v.data() + (lo - b), count));
    if (optimizer.has_master() && r.find("master")) {
      r.read_f32_range(r.get("master"), lo - fb, std::span<float>(master.data() + (lo - b), count));
      any_master = true;
    }
    std::fill(covered.begin() + (lo - b), covered.begin() + (hi - b), 1);
  }
  if (files == 0) fail_hint("the checkpoint is incomplete", "'{}' has no optimizer-rank*.safetensors", dir.string());
  for (int64_t i = 0; i < n; ++i)
    if (!covered[static_cast<size_t>(i)])
      fail_hint("the checkpoint is incomplete (a rank's optimizer file is missing)",
                "'{}': optimizer state does not cover parameter slot {}", dir.string(), b + i);
  optimizer.set_state(m, v);
  if (steps_taken >= 0) optimizer.set_steps_taken(steps_taken);
  if (optimizer.has_master()) {
    if (any_master) {
      optimizer.set_master(master);
    } else {
      // written by an fp32 run: the model file is the master copy
      optimizer.set_master(std::span<const float>(weights.data() + b, static_cast<size_t>(n)));
    }
  }
  return state;
}

}  // namespace dsmath
