#pragma once
// A token shard and a tiny pretraining config around it, for the training tests.
#include <filesystem>
#include <fstream>
#include <string>

#include "core/json.hpp"
#include "core/rng.hpp"
#include "data/token_shard.hpp"
#include "test_util.hpp"

namespace dsmath::test {

// A corpus a tiny model can learn: the same 23-token phrase repeated, with a random token
// between repetitions so that the loss cannot reach zero.
inline std::filesystem::path repetitive_shard(const std::filesystem::path& dir, int vocab = 64, int tokens = 20000) {
  auto path = dir / "train.bin";
  ShardWriter w(path);
  Rng rng(5);
  std::vector<uint32_t> doc;
  while (static_cast<int>(doc.size()) < tokens) {
    for (int i = 0; i < 23; ++i) doc.push_back(static_cast<uint32_t>((i * 7 + 3) % vocab));
    doc.push_back(static_cast<uint32_t>(rng.below(static_cast<uint64_t>(vocab))));
  }
  w.add_document(doc);
  w.finish();
  return path;
}

inline std::filesystem::path tiny_pretrain_config(const std::filesystem::path& dir, const std::filesystem::path& shard,
                                                  const std::string& extra = "") {
  auto path = dir / "pretrain.yaml";
  std::ofstream(path) << "stage: pretrain\n"
                         "model: {vocab_size: 64, dim: 32, n_layers: 2, n_heads: 4, n_kv_heads: 2, ffn_dim: 64, max_seq_len: 64}\n"
                         "data:\n  seq_len: 32\n  sources:\n    - {name: rep, paths: ["
                      << shard.string()
                      << "]}\n"
                         "optim: {lr_peak: 1.0e-2, schedule: cosine, warmup_steps: 5}\n"
                         "train: {micro_batch_size: 4, global_batch_size: 8, max_steps: 40, log_every: 10}\n"
                         "checkpoint: {every_steps: 20, keep_last: 2}\n"
                         "runtime: {device: cpu, threads: 1}\n"
                      << extra;
  return path;
}

// The lines of RUN/metrics.jsonl.
inline std::vector<Json> read_metrics(const std::filesystem::path& run_dir) { return read_jsonl(run_dir / "metrics.jsonl"); }

}  // namespace dsmath::test
