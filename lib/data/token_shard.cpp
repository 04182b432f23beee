#include "data/token_shard.hpp"

#include <algorithm>
#include <cstring>
#include <fnmatch.h>

#include "core/error.hpp"
#include "core/hash.hpp"

namespace dsmath {

namespace {
template <class T>
void put(std::string& out, size_t offset, T value) {
  std::memcpy(out.data() + offset, &value, sizeof(T));
}
template <class T>
T get(const uint8_t* p, size_t offset) {
  T v;
  std::memcpy(&v, p + offset, sizeof(T));
  return v;
}
}  // namespace

ShardWriter::ShardWriter(std::filesystem::path path, bool with_mask) : path_(std::move(path)), with_mask_(with_mask) {}

void ShardWriter::add_document(std::span<const uint32_t> tokens, std::span<const uint8_t> mask) {
  DSMATH_CHECK(!finished_, "add_document after finish on {}", path_.string());
  if (with_mask_ && mask.size() != tokens.size())
    fail("shard {}: document of {} tokens given a mask of {} entries", path_.string(), tokens.size(), mask.size());
  doc_starts_.push_back(tokens_.size());
  tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
  if (with_mask_) mask_.insert(mask_.end(), mask.begin(), mask.end());
}

void ShardWriter::finish() {
  DSMATH_CHECK(!finished_, "double finish on {}", path_.string());
  finished_ = true;
  uint32_t max_id = 0;
  for (uint32_t t : tokens_) max_id = std::max(max_id, t);
  const size_t token_bytes = tokens_.size() * 4, doc_bytes = doc_starts_.size() * 8, mask_bytes = mask_.size();
  Hasher64 payload_hash;
  payload_hash.update(tokens_.data(), token_bytes);
  payload_hash.update(doc_starts_.data(), doc_bytes);
  payload_hash.update(mask_.data(), mask_bytes);

  std::string header(kShardHeaderBytes, '\0');
  std::memcpy(header.data(), kShardMagic, 8);
  put<uint32_t>(header, 8, kShardVersion);
  put<uint32_t>(header, 12, 4);
  put<uint64_t>(header, 16, tokens_.size());
  put<uint64_t>(header, 24, doc_starts_.size());
  put<uint32_t>(header, 32, with_mask_ ? 1u : 0u);
  put<uint32_t>(header, 36, tokens_.empty() ? 0u : max_id + 1);
  put<uint64_t>(header, 40, payload_hash.digest());
  put<uint64_t>(header, 48, hash64(header.data(), 48));

  AtomicFile file(path_);
  file.write(header);
  file.write(tokens_.data(), token_bytes);
  file.write(doc_starts_.data(), doc_bytes);
  file.write(mask_.data(), mask_bytes);
  file.commit();
}

ShardReader::ShardReader(const std::filesystem::path& path, bool verify_checksum) : file_(path) {
  const std::string name = path.string();
  const std::string hint = "re-create the shard with `dsmath tokenize`; it may be truncated or not a dsmath shard";
  const uint8_t* p = file_.data();
  if (file_.size() < kShardHeaderBytes)
    fail_hint(hint, "shard '{}': {} bytes is shorter than the {}-byte header", name, file_.size(), kShardHeaderBytes);
  if (std::memcmp(p, kShardMagic, 8) != 0) fail_hint(hint, "shard '{}': wrong magic (not a dsmath token shard)", name);
  const auto version = get<uint32_t>(p, 8);
  if (version != kShardVersion)
    fail_hint("this dsmath reads version 1 shards", "shard '{}': unsupported version {}", name, version);
  if (get<uint64_t>(p, 48) != hash64(p, 48)) fail_hint(hint, "shard '{}': header checksum mismatch", name);
  if (get<uint32_t>(p, 12) != 4) fail_hint(hint, "shard '{}': {} bytes per token (expected 4)", name, get<uint32_t>(p, 12));
  const auto n_tokens = get<uint64_t>(p, 16);
  const auto n_docs = get<uint64_t>(p, 24);
  const auto flags = get<uint32_t>(p, 32);
  const bool has_mask = (flags & 1u) != 0;
  vocab_bound_ = get<uint32_t>(p, 36);
  // overflow-safe size check: each count is bounded by the file size first
  if (n_tokens > file_.size() / 4 || n_docs > file_.size() / 8)
    fail_hint(hint, "shard '{}': header claims {} tokens and {} documents, more than the file holds", name, n_tokens, n_docs);
  const uint64_t expected = kShardHeaderBytes + n_tokens * 4 + n_docs * 8 + (has_mask ? n_tokens : 0);
  if (file_.size() != expected)
    fail_hint(hint, "shard '{}': size is {} bytes, the header implies {} (truncated or corrupt)", name, file_.size(),
              expected);
  const uint8_t* payload = p + kShardHeaderBytes;
  if (verify_checksum && get<uint64_t>(p, 40) != hash64(payload, file_.size() - kShardHeaderBytes))
    fail_hint(hint, "shard '{}': payload checksum mismatch (corrupt data)", name);
  tokens_ = {reinterpret_cast<const uint32_t*>(payload), n_tokens};
  doc_starts_ = {reinterpret_cast<const uint64_t*>(payload + n_tokens * 4), n_docs};
  if (has_mask) mask_ = {payload + n_tokens * 4 + n_docs * 8, n_tokens};
  for (size_t i = 0; i < doc_starts_.size(); ++i) {
    if (doc_starts_[i] >= std::max<uint64_t>(n_tokens, 1) || (i > 0 && doc_starts_[i] <= doc_starts_[i - 1]))
      fail_hint(hint, "shard '{}': document start #{} ({}) is out of order or out of range", name, i, doc_starts_[i]);
  }
}

std::vector<std::filesystem::path> expand_shard_paths(const std::vector<std::string>& patterns,
                                                      const std::filesystem::path& base_dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& pattern : patterns) {
    std::filesystem::path p = pattern;
    if (p.is_relative()) p = base_dir / p;
    const std::string file_part = p.filename().string();
    if (file_part.find_first_of("*?[") == std::string::npos) {
      if (!std::filesystem::exists(p)) fail_hint("check data paths in the config", "shard file '{}' does not exist", p.string());
      if (std::filesystem::is_directory(p)) {
        std::vector<std::filesystem::path> in_dir;
        for (const auto& e : std::filesystem::directory_iterator(p))
          if (e.is_regular_file() && e.path().extension() == ".bin") in_dir.push_back(e.path());
        if (in_dir.empty()) fail("shard directory '{}' holds no .bin shards", p.string());
        std::sort(in_dir.begin(), in_dir.end());
        out.insert(out.end(), in_dir.begin(), in_dir.end());
      } else {
        out.push_back(p);
      }
      continue;
    }
    const auto dir = p.parent_path();
    std::vector<std::filesystem::path> matches;
    if (std::filesystem::is_directory(dir)) {
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.is_regular_file() && fnmatch(file_part.c_str(), e.path().filename().c_str(), 0) == 0)
          matches.push_back(e.path());
    }
    if (matches.empty()) fail_hint("check data paths in the config", "no shard files match '{}'", p.string());
    std::sort(matches.begin(), matches.end());
    out.insert(out.end(), matches.begin(), matches.end());
  }
  return out;
}

}  // namespace dsmath
