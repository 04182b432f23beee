#include "tokenizer/bpe_model.hpp"

#include <algorithm>
#include <atomic>
#include <bit>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/rng.hpp"
#include "tokenizer/byte_level.hpp"

namespace dsmath {

namespace {

std::atomic<uint64_t> next_cache_owner{1};

// Per-thread direct-mapped cache of piece -> (ids, token lengths), shared by every model the
// thread uses; an entry belongs to the model whose owner id it carries. `tokenizers` keeps a
// similar cache (models/bpe/model.rs, pieces under 256 characters).
constexpr size_t kCacheSlots = 1 << 14;
constexpr size_t kMaxCachedPieceBytes = 256;

struct CacheEntry {
  uint64_t owner = 0;
  uint64_t hash = 0;
  std::string key;
  std::vector<uint32_t> ids;
  std::vector<uint32_t> lengths;
};

std::vector<CacheEntry>& thread_cache() {
  thread_local std::vector<CacheEntry> cache(kCacheSlots);
  return cache;
}

struct Symbol {
  uint32_t id;
  int32_t prev;
  int32_t next;
  uint32_t len;  // bytes; 0 = merged into its left neighbour
};

struct QueuedMerge {
  uint32_t rank;
  uint32_t pos;
  uint32_t new_id;
};

// std heap functions build a max-heap; "greater" means lower priority: higher rank, then
// further right (models/bpe/word.rs Merge ordering)
struct LowerPriority {
  bool operator()(const QueuedMerge& a, const QueuedMerge& b) const {
    return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
  }
};

}  // namespace

BpeModel::BpeModel(std::vector<std::string> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                   std::optional<uint32_t> unk_id, bool fuse_unk, bool ignore_merges, const std::string& where)
    : vocab_(std::move(vocab)),
      unk_id_(unk_id),
      fuse_unk_(fuse_unk),
      ignore_merges_(ignore_merges),
      cache_owner_(next_cache_owner.fetch_add(1)) {
  token_to_id_.reserve(vocab_.size());
  for (size_t id = 0; id < vocab_.size(); ++id)
    if (!vocab_[id].empty()) token_to_id_.emplace(vocab_[id], static_cast<uint32_t>(id));
  for (int b = 0; b < 256; ++b) {
    std::string ch;
    ch = to_byte_level(std::string(1, static_cast<char>(b)));
    auto it = token_to_id_.find(ch);
    byte_to_id_[b] = it == token_to_id_.end() ? -1 : static_cast<int64_t>(it->second);
  }

  const size_t capacity = std::bit_ceil(std::max<size_t>(16, merges.size() * 2));
  merge_table_.assign(capacity, MergeSlot{});
  merge_pairs_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    const auto l = token_to_id(left), r = token_to_id(right), merged = token_to_id(left + right);
    if (!l || !r)
      fail_hint("every merge must join two vocab tokens", "{}: merge #{} ('{}' '{}') uses a token missing from the vocab",
                where, rank, left, right);
    if (!merged)
      fail_hint("every merge result must be a vocab token", "{}: merge #{} ('{}' '{}') produces '{}', which is not in the vocab",
                where, rank, left, right, left + right);
    const uint64_t key = pair_key(*l, *r);
    size_t slot = mix64(key) & (capacity - 1);
    while (merge_table_[slot].key != kEmpty && merge_table_[slot].key != key) slot = (slot + 1) & (capacity - 1);
    // a repeated merge takes its later rank: `tokenizers` collects the merges into a HashMap
    if (merge_table_[slot].key != key) ++n_merges_;
    merge_table_[slot] = {key, static_cast<uint32_t>(rank), *merged};
    merge_pairs_.emplace_back(*l, *r);
  }
}

std::optional<uint32_t> BpeModel::token_to_id(std::string_view token) const {
  auto it = token_to_id_.find(std::string(token));
  if (it == token_to_id_.end()) return std::nullopt;
  return it->second;
}

const BpeModel::MergeSlot* BpeModel::find_merge(uint32_t a, uint32_t b) const {
  const uint64_t key = pair_key(a, b);
  const size_t mask = merge_table_.size() - 1;
  size_t slot = mix64(key) & mask;
  while (true) {
    const MergeSlot& s = merge_table_[slot];
    if (s.key == key) return &s;
    if (s.key == kEmpty) return nullptr;
    slot = (slot + 1) & mask;
  }
}

void BpeModel::merge_symbols(std::string_view piece, std::vector<uint32_t>& ids, std::vector<uint32_t>& lengths) const {
  thread_local std::vector<Symbol> symbols;
  thread_local std::vector<QueuedMerge> queue;
  symbols.clear();
  queue.clear();
  if (ignore_merges_) {
    if (auto whole = token_to_id(to_byte_level(piece))) {
      ids.push_back(*whole);
      lengths.push_back(static_cast<uint32_t>(piece.size()));
      return;
    }
  }
  for (char c : piece) {
    const int64_t id = byte_to_id_[static_cast<uint8_t>(c)];
    if (id >= 0) {
      symbols.push_back({static_cast<uint32_t>(id), 0, 0, 1});
    } else if (unk_id_) {
      // a byte whose character the vocab lacks becomes unk (consecutive ones fused if asked)
      if (fuse_unk_ && !symbols.empty() && symbols.back().id == *unk_id_)
        ++symbols.back().len;
      else
        symbols.push_back({*unk_id_, 0, 0, 1});
    }
    // with no unk token the byte is dropped, as `tokenizers` drops unknown characters
  }
  const auto n = static_cast<int32_t>(symbols.size());
  for (int32_t i = 0; i < n; ++i) {
    symbols[i].prev = i - 1;
    symbols[i].next = i + 1 < n ? i + 1 : -1;
  }
  for (int32_t i = 0; i + 1 < n; ++i)
    if (const MergeSlot* m = find_merge(symbols[i].id, symbols[i + 1].id))
      queue.push_back({m->rank, static_cast<uint32_t>(i), m->new_id});
  std::make_heap(queue.begin(), queue.end(), LowerPriority{});

  auto push = [&](uint32_t pos, const MergeSlot* m) {
    queue.push_back({m->rank, pos, m->new_id});
    std::push_heap(queue.begin(), queue.end(), LowerPriority{});
  };
  while (!queue.empty()) {
    std::pop_heap(queue.begin(), queue.end(), LowerPriority{});
    const QueuedMerge top = queue.back();
    queue.pop_back();
    Symbol& cur = symbols[top.pos];
    if (cur.len == 0 || cur.next < 0) continue;
    const int32_t next_pos = cur.next;
    const Symbol right = symbols[next_pos];
    const MergeSlot* now = find_merge(cur.id, right.id);
    if (now == nullptr || now->new_id != top.new_id) continue;  // a stale entry
    cur.id = top.new_id;
    cur.len += right.len;
    cur.next = right.next;
    symbols[next_pos].len = 0;
    if (right.next >= 0) symbols[right.next].prev = static_cast<int32_t>(top.pos);
    if (cur.prev >= 0)
      if (const MergeSlot* m = find_merge(symbols[cur.prev].id, cur.id)) push(static_cast<uint32_t>(cur.prev), m);
    if (cur.next >= 0)
      if (const MergeSlot* m = find_merge(cur.id, symbols[cur.next].id)) push(top.pos, m);
  }
  for (const Symbol& s : symbols) {
    if (s.len == 0) continue;
    ids.push_back(s.id);
    lengths.push_back(s.len);
  }
}

void BpeModel::encode_piece(std::string_view piece, std::vector<uint32_t>& ids, std::vector<uint32_t>* token_lengths) const {
  if (piece.empty()) return;
  if (piece.size() > kMaxCachedPieceBytes) {
    thread_local std::vector<uint32_t> lengths;
    lengths.clear();
    merge_symbols(piece, ids, token_lengths ? *token_lengths : lengths);
    return;
  }
  const uint64_t h = hash64(piece, cache_owner_);
  CacheEntry& e = thread_cache()[h & (kCacheSlots - 1)];
  if (e.owner != cache_owner_ || e.hash != h || e.key != piece) {
    e.owner = 0;  // invalid while being refilled (merge_symbols may throw on allocation)
    e.ids.clear();
    e.lengths.clear();
    merge_symbols(piece, e.ids, e.lengths);
    e.key.assign(piece);
    e.hash = h;
    e.owner = cache_owner_;
  }
  ids.insert(ids.end(), e.ids.begin(), e.ids.end());
  if (token_lengths) token_lengths->insert(token_lengths->end(), e.lengths.begin(), e.lengths.end());
}

}  // namespace dsmath
