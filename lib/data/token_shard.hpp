#pragma once
// Token shards: the on-disk form of tokenized corpora (DESIGN.md section 4).
//
// Layout, little-endian, a 64-byte header then the payload:
//   0  magic "DSMTOKS\0"         8  u32 version (1)        12 u32 bytes per token (4: uint32)
//   16 u64 n_tokens              24 u64 n_docs (document-start entries, 0 = none)
//   32 u32 flags (bit 0: loss-mask stream present)         36 u32 vocab bound (max id + 1; 0 = unknown)
//   40 u64 XXH3-64 of the payload                          48 u64 XXH3-64 of header bytes 0..47
//   56 u64 reserved (0)
// Payload: tokens u32[n_tokens], doc_starts u64[n_docs] (ascending token offsets where each
// document begins), then mask u8[n_tokens] (1 = the token is a training target) when flagged.
// The reader validates everything before use, so a truncated or corrupt shard is an error that
// names the file, never garbage tokens.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/files.hpp"

namespace dsmath {

inline constexpr char kShardMagic[8] = {'D', 'S', 'M', 'T', 'O', 'K', 'S', '\0'};
inline constexpr uint32_t kShardVersion = 1;
inline constexpr size_t kShardHeaderBytes = 64;

// Accumulates a shard in memory and writes it atomically in finish().
class ShardWriter {
 public:
  explicit ShardWriter(std::filesystem::path path, bool with_mask = false);
  // Appends one document; mask (if the shard has one) must be as long as tokens.
  void add_document(std::span<const uint32_t> tokens, std::span<const uint8_t> mask = {});
  uint64_t n_tokens() const { return tokens_.size(); }
  uint64_t n_docs() const { return doc_starts_.size(); }
  void finish();

 private:
  std::filesystem::path path_;
  bool with_mask_;
  bool finished_ = false;
  std::vector<uint32_t> tokens_;
  std::vector<uint64_t> doc_starts_;
  std::vector<uint8_t> mask_;
};

class ShardReader {
 public:
  // verify_checksum: hash the payload (about 10 GB/s); header and sizes are always checked.
  explicit ShardReader(const std::filesystem::path& path, bool verify_checksum = true);

  std::span<const uint32_t> tokens() const { return tokens_; }
  std::span<const uint64_t> doc_starts() const { return doc_starts_; }
  std::span<const uint8_t> mask() const { return mask_; }  // empty when the shard has none
  uint32_t vocab_bound() const { return vocab_bound_; }
  const std::filesystem::path& path() const { return file_.path(); }

 private:
  MappedFile file_;
  std::span<const uint32_t> tokens_;
  std::span<const uint64_t> doc_starts_;
  std::span<const uint8_t> mask_;
  uint32_t vocab_bound_ = 0;
};

// Expands a list of paths and glob patterns ('*' and '?' in the file name part) into shard
// files, sorted; an entry that matches nothing is an error naming it.
std::vector<std::filesystem::path> expand_shard_paths(const std::vector<std::string>& patterns,
                                                      const std::filesystem::path& base_dir);

}  // namespace dsmath
