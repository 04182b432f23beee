#pragma once
// The BPE model of a byte-level tokenizer.json (Sennrich et al. 2016; GPT-2's byte-level
// variant): vocab (token string -> id) and merges in priority order. Encoding a piece starts
// from one symbol per byte and applies, as `tokenizers` models/bpe/word.rs does, the merge of
// lowest rank first, the leftmost one among equal ranks, until no adjacent pair has a merge.
// Results of short pieces are cached per thread (piece bytes -> ids).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dsmath {

class BpeModel {
 public:
  // vocab[i] is the token string of id i ("" for ids the model does not define); merges are
  // pairs of token strings in priority order. `where` names the file for error messages.
  BpeModel(std::vector<std::string> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
           std::optional<uint32_t> unk_id, bool fuse_unk, bool ignore_merges, const std::string& where);

  // Appends the ids of one pre-tokenized piece (raw bytes). token_lengths (optional) receives
  // each token's length in bytes of the piece.
  void encode_piece(std::string_view piece, std::vector<uint32_t>& ids, std::vector<uint32_t>* token_lengths = nullptr) const;

  size_t size() const { return vocab_.size(); }  // 1 + the largest model id
  const std::vector<std::string>& vocab() const { return vocab_; }
  std::optional<uint32_t> token_to_id(std::string_view token) const;
  size_t n_merges() const { return n_merges_; }  // distinct pairs
  std::optional<uint32_t> unk_id() const { return unk_id_; }
  bool fuse_unk() const { return fuse_unk_; }
  bool ignore_merges() const { return ignore_merges_; }
  // merges as (left id, right id) in rank order, for writing tokenizer.json
  const std::vector<std::pair<uint32_t, uint32_t>>& merge_pairs() const { return merge_pairs_; }

 private:
  struct MergeSlot {
    uint64_t key = kEmpty;
    uint32_t rank = 0;
    uint32_t new_id = 0;
  };
  static constexpr uint64_t kEmpty = ~0ULL;
  static uint64_t pair_key(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }
  const MergeSlot* find_merge(uint32_t a, uint32_t b) const;
  void merge_symbols(std::string_view piece, std::vector<uint32_t>& ids, std::vector<uint32_t>& lengths) const;

  std::vector<std::string> vocab_;
  std::unordered_map<std::string, uint32_t> token_to_id_;
  std::array<int64_t, 256> byte_to_id_{};  // -1: the byte's character is not in the vocab
  std::vector<MergeSlot> merge_table_;      // open addressing, power-of-two size
  std::vector<std::pair<uint32_t, uint32_t>> merge_pairs_;
  size_t n_merges_ = 0;
  std::optional<uint32_t> unk_id_;
  bool fuse_unk_ = false;
  bool ignore_merges_ = false;
  uint64_t cache_owner_;  // distinguishes this model's entries in the per-thread cache
};

}  // namespace dsmath
