#pragma once
// `dsmath tokenize`: JSONL text -> token shards (data/token_shard.hpp) for pretraining.
//
// Each record's text is one document: [BOS] tokens EOS (BOS per add_bos; EOS always, so
// documents stay separated once shards are concatenated into one stream; the shards' document
// index marks where each begins). Empty texts are skipped and counted. Shards hold at most
// shard_tokens tokens: a document that does not fit in the current shard starts the next one;
// only a document longer than shard_tokens is cut (its continuation starts the next shard).
// Lines are read in bounded batches and encoded in parallel, and written in input order, so
// the output is byte-identical for any thread count. out_dir/tokenize.json records the summary
// and the tokenizer's fingerprint, so training can check it uses the same tokenizer.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath {

struct TokenizeOptions {
  std::vector<std::filesystem::path> inputs;
  std::string field = "text";
  std::filesystem::path out_dir;
  uint64_t shard_tokens = 100'000'000;  // 400 MB shards
  bool add_bos = true;
  bool strict = false;     // a malformed line is an error instead of skipped and counted
  bool overwrite = false;  // replace shards from an earlier run in out_dir
  int n_threads = 0;
  size_t batch_lines = 8192;
  size_t batch_bytes = 64u << 20;
};

struct TokenizeSummary {
  uint64_t documents = 0;
  uint64_t empty_documents = 0;
  uint64_t malformed_lines = 0;
  uint64_t tokens = 0;
  uint64_t text_bytes = 0;  // UTF-8 bytes of the documents' text
  std::vector<std::filesystem::path> shards;
  double seconds = 0;
  double bytes_per_token() const { return tokens ? static_cast<double>(text_bytes) / static_cast<double>(tokens) : 0; }
};

TokenizeSummary tokenize_to_shards(const Tokenizer& tokenizer, const TokenizeOptions& options);

// The name of shard i in out_dir: shard-00000.bin, ...
std::filesystem::path shard_path(const std::filesystem::path& out_dir, size_t index);

}  // namespace dsmath
