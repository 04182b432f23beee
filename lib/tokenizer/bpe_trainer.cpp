#include "tokenizer/bpe_trainer.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/timer.hpp"
#include "tokenizer/byte_level.hpp"
#include "tokenizer/chat_template.hpp"
#include "tokenizer/parallel_for.hpp"
#include "tokenizer/tokenizer.hpp"
#include "tokenizer/utf8.hpp"

namespace dsmath {

namespace {

uint64_t pair_key(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }

struct HeapEntry {
  uint64_t count;
  uint32_t left, right;
};
// max-heap order: higher count first, then the smaller (left, right)
struct LowerPriority {
  bool operator()(const HeapEntry& a, const HeapEntry& b) const {
    if (a.count != b.count) return a.count < b.count;
    if (a.left != b.left) return a.left > b.left;
    return a.right > b.right;
  }
};

// JSON text of a string, non-ASCII escaped (\uXXXX): the file survives editors that normalize
// Unicode (the DeepSeek letter class would not, see shared/data/SOURCES.md).
std::string json_string(std::string_view s) { return nlohmann::json(std::string(s)).dump(-1, ' ', true); }

std::string dump_ascii(const nlohmann::json& j) { return j.dump(-1, ' ', true); }

}  // namespace

BpeTrainer::BpeTrainer(BpeTrainerOptions options) : options_(std::move(options)) {
  if (options_.pre_tokenizer == "deepseek")
    pre_tokenizer_ = PreTokenizer::deepseek();
  else if (options_.pre_tokenizer == "gpt2")
    pre_tokenizer_ = PreTokenizer::gpt2();
  else
    fail_hint("use deepseek or gpt2", "unknown pre-tokenizer preset '{}'", options_.pre_tokenizer);
  if (options_.eos_token.empty()) fail_hint("pass --eos TOKEN", "a trained tokenizer needs an end-of-text token");
  if (options_.add_bos && options_.bos_token.empty())
    fail_hint("pass --bos TOKEN or --no-bos", "add_bos is set but there is no BOS token");
  for (const auto& t : {options_.bos_token, options_.eos_token})
    if (!t.empty()) special_tokens_.push_back(t);
  for (const auto& t : options_.extra_special_tokens) special_tokens_.push_back(t);
  std::vector<AddedToken> added;
  std::unordered_set<std::string> seen;
  for (const auto& t : special_tokens_) {
    if (t.empty() || !is_valid_utf8(t)) fail_hint("special tokens are non-empty UTF-8 strings", "bad special token '{}'", repair_utf8(t));
    if (!seen.insert(t).second) fail_hint("give each special token once", "special token '{}' is repeated", t);
    added.push_back({static_cast<uint32_t>(added.size()), t, false, false, false, false, true});
  }
  const uint32_t minimum = 256 + static_cast<uint32_t>(special_tokens_.size());
  if (options_.vocab_size < minimum)
    fail_hint("the 256 byte tokens and the special tokens come first", "vocab size {} is below the minimum {}",
              options_.vocab_size, minimum);
  specials_ = AddedVocabulary(std::move(added));
}

void BpeTrainer::add_texts(std::span<const std::string> texts) {
  const int threads = resolve_thread_count(options_.n_threads);
  std::vector<std::unordered_map<std::string, uint64_t>> local(threads);
  const size_t chunk = (texts.size() + threads - 1) / std::max(threads, 1);
  parallel_for(static_cast<size_t>(threads), threads, [&](size_t t) {
    std::vector<TextSegment> segments;
    std::vector<PreToken> pieces;
    std::string scratch, repaired;
    auto& counts = local[t];
    for (size_t i = t * chunk; i < std::min(texts.size(), (t + 1) * chunk); ++i) {
      std::string_view text = texts[i];
      if (!is_valid_utf8(text)) {
        repaired = repair_utf8(text);
        text = repaired;
      }
      specials_.split(text, segments);
      for (const TextSegment& s : segments) {
        if (s.token_id >= 0) continue;
        const std::string_view segment = text.substr(s.begin, s.end - s.begin);
        pieces.clear();
        pre_tokenizer_.split(segment, pieces);
        for (const PreToken& p : pieces) ++counts[std::string(p.bytes(segment, scratch))];
      }
    }
  });
  for (auto& counts : local)
    for (auto& [piece, n] : counts) piece_counts_[piece] += n;
  texts_ += texts.size();
  for (const auto& t : texts) bytes_ += t.size();
}

TrainedTokenizer BpeTrainer::train() const {
  // pieces in byte order, so every list below is built in an order independent of hashing
  std::vector<std::pair<std::string_view, uint64_t>> pieces;
  pieces.reserve(piece_counts_.size());
  for (const auto& [piece, n] : piece_counts_) pieces.emplace_back(piece, n);
  std::sort(pieces.begin(), pieces.end());

  std::vector<std::string> token_bytes(256);
  std::unordered_map<std::string, uint32_t> id_of;
  for (int b = 0; b < 256; ++b) {
    token_bytes[b] = std::string(1, static_cast<char>(b));
    id_of[token_bytes[b]] = static_cast<uint32_t>(b);
  }
  std::vector<std::vector<uint32_t>> words(pieces.size());
  std::unordered_map<uint64_t, uint64_t> pair_count;
  std::unordered_map<uint64_t, std::vector<uint32_t>> pair_words;  // may repeat a word
  for (uint32_t w = 0; w < pieces.size(); ++w) {
    for (char c : pieces[w].first) words[w].push_back(static_cast<uint8_t>(c));
    for (size_t i = 0; i + 1 < words[w].size(); ++i) {
      const uint64_t key = pair_key(words[w][i], words[w][i + 1]);
      pair_count[key] += pieces[w].second;
      pair_words[key].push_back(w);
    }
  }
  std::vector<HeapEntry> heap;
  for (const auto& [key, n] : pair_count) heap.push_back({n, static_cast<uint32_t>(key >> 32), static_cast<uint32_t>(key)});
  std::make_heap(heap.begin(), heap.end(), LowerPriority{});

  const uint32_t model_size_target = options_.vocab_size - static_cast<uint32_t>(special_tokens_.size());
  std::vector<std::pair<uint32_t, uint32_t>> merges;
  std::vector<uint32_t> last_touched(words.size(), UINT32_MAX);
  std::unordered_map<uint64_t, int64_t> delta;
  std::vector<uint32_t> merged;
  Progress progress("tokenizer merges", model_size_target - 256, "tokens");
  while (token_bytes.size() < model_size_target && !heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), LowerPriority{});
    const HeapEntry top = heap.back();
    heap.pop_back();
    const uint64_t key = pair_key(top.left, top.right);
    const auto it = pair_count.find(key);
    const uint64_t current = it == pair_count.end() ? 0 : it->second;
    if (current != top.count) {  // stale: requeue with the current count
      if (current > 0) {
        heap.push_back({current, top.left, top.right});
        std::push_heap(heap.begin(), heap.end(), LowerPriority{});
      }
      continue;
    }
    if (current < options_.min_frequency) break;

    const std::string bytes = token_bytes[top.left] + token_bytes[top.right];
    uint32_t new_id;
    if (auto found = id_of.find(bytes); found != id_of.end()) {
      new_id = found->second;
    } else {
      new_id = static_cast<uint32_t>(token_bytes.size());
      token_bytes.push_back(bytes);
      id_of.emplace(bytes, new_id);
    }
    const auto merge_index = static_cast<uint32_t>(merges.size());
    merges.emplace_back(top.left, top.right);

    delta.clear();
    auto word_list = std::move(pair_words[key]);
    pair_words.erase(key);
    for (uint32_t w : word_list) {
      if (last_touched[w] == merge_index) continue;
      last_touched[w] = merge_index;
      auto& symbols = words[w];
      const auto count = static_cast<int64_t>(pieces[w].second);
      merged.clear();
      bool changed = false;
      for (size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == top.left && symbols[i + 1] == top.right) {
          merged.push_back(new_id);
          ++i;
          changed = true;
        } else {
          merged.push_back(symbols[i]);
        }
      }
      if (!changed) continue;
      for (size_t i = 0; i + 1 < symbols.size(); ++i) delta[pair_key(symbols[i], symbols[i + 1])] -= count;
      for (size_t i = 0; i + 1 < merged.size(); ++i) {
        const uint64_t k = pair_key(merged[i], merged[i + 1]);
        delta[k] += count;
        if (merged[i] == new_id || merged[i + 1] == new_id) pair_words[k].push_back(w);
      }
      symbols.swap(merged);
    }
    // apply in key order so the heap receives entries in a deterministic order
    std::vector<std::pair<uint64_t, int64_t>> changes(delta.begin(), delta.end());
    std::sort(changes.begin(), changes.end());
    for (const auto& [k, d] : changes) {
      if (d == 0) continue;
      auto& c = pair_count[k];
      c = static_cast<uint64_t>(static_cast<int64_t>(c) + d);
      if (d > 0) {
        heap.push_back({c, static_cast<uint32_t>(k >> 32), static_cast<uint32_t>(k)});
        std::push_heap(heap.begin(), heap.end(), LowerPriority{});
      }
      if (c == 0) pair_count.erase(k);
    }
    progress.update(token_bytes.size() - 256);
  }
  progress.finish();

  // tokenizer.json in the layout `tokenizers` saves, vocab in id order
  const auto model_size = static_cast<uint32_t>(token_bytes.size());
  nlohmann::json added = nlohmann::json::array();
  for (size_t i = 0; i < special_tokens_.size(); ++i)
    added.push_back({{"id", model_size + i}, {"content", special_tokens_[i]}, {"single_word", false}, {"lstrip", false},
                     {"rstrip", false}, {"normalized", false}, {"special", true}});
  nlohmann::json post = nullptr;
  if (options_.add_bos) {
    const std::string& bos = options_.bos_token;
    const uint32_t bos_id = model_size;  // the BOS is the first special token
    post = {{"type", "TemplateProcessing"},
            {"single", {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
            {"pair",
             {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}},
              {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
              {{"SpecialToken", {{"id", bos}, {"type_id", 1}}}},
              {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
            {"special_tokens", {{bos, {{"id", bos}, {"ids", {bos_id}}, {"tokens", {bos}}}}}}};
  }
  const nlohmann::json decoder = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};

  std::string out = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [";
  for (size_t i = 0; i < added.size(); ++i) out += (i ? ",\n    " : "\n    ") + dump_ascii(added[i]);
  out += added.empty() ? "],\n" : "\n  ],\n";
  out += "  \"normalizer\": null,\n";
  out += "  \"pre_tokenizer\": " + dump_ascii(pre_tokenizer_.to_json()) + ",\n";
  out += "  \"post_processor\": " + dump_ascii(post) + ",\n";
  out += "  \"decoder\": " + dump_ascii(decoder) + ",\n";
  out += "  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n"
         "    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n    \"fuse_unk\": false,\n"
         "    \"byte_fallback\": false,\n    \"vocab\": {";
  for (uint32_t id = 0; id < model_size; ++id)
    out += (id ? ",\n      " : "\n      ") + json_string(to_byte_level(token_bytes[id])) + ": " + std::to_string(id);
  out += "\n    },\n    \"merges\": [";
  for (size_t i = 0; i < merges.size(); ++i)
    out += (i ? ",\n      " : "\n      ") +
           json_string(to_byte_level(token_bytes[merges[i].first]) + " " + to_byte_level(token_bytes[merges[i].second]));
  out += merges.empty() ? "]\n  }\n}\n" : "\n    ]\n  }\n}\n";

  Json config;
  config["add_bos_token"] = options_.add_bos;
  config["add_eos_token"] = false;
  config["bos_token"] = options_.bos_token.empty() ? Json(nullptr) : Json(options_.bos_token);
  config["eos_token"] = options_.eos_token;
  config["pad_token"] = options_.eos_token;
  config["unk_token"] = nullptr;
  config["clean_up_tokenization_spaces"] = false;
  config["tokenizer_class"] = "PreTrainedTokenizerFast";
  config["chat_template"] = std::string(kChatTemplateJinja);

  TrainedTokenizer result;
  result.tokenizer_json = std::move(out);
  result.tokenizer_config_json = config.dump(2, ' ', true) + "\n";
  result.vocab_size = model_size + static_cast<uint32_t>(special_tokens_.size());
  result.merges = static_cast<uint32_t>(merges.size());
  result.unique_pieces = pieces.size();
  // what we write must load: a failure here is a bug, reported before anything is written
  Tokenizer::from_json_text(result.tokenizer_json, "trained tokenizer", Json::parse(result.tokenizer_config_json));
  return result;
}

TokenizerTrainingSummary train_tokenizer(CorpusReader& corpus, const std::string& field, const BpeTrainerOptions& options,
                                         const std::filesystem::path& output, bool strict) {
  Stopwatch clock;
  BpeTrainer trainer(options);
  MalformedLines malformed(strict);
  CorpusBatch batch;
  std::vector<std::string> texts, errors;
  std::vector<uint8_t> ok;
  Progress progress("tokenizer corpus", corpus.total_bytes_hint(), "bytes");
  while (corpus.next(batch, 16384, 64u << 20)) {
    texts.assign(batch.size(), {});
    errors.assign(batch.size(), {});
    ok.assign(batch.size(), 0);
    parallel_for(batch.size(), options.n_threads, [&](size_t i) {
      if (auto t = corpus_text(batch.lines[i], field, corpus.where(batch, i), errors[i])) {
        texts[i] = std::move(*t);
        ok[i] = 1;
      }
    });
    for (size_t i = 0; i < batch.size(); ++i)
      if (!ok[i]) malformed.report(errors[i]);
    std::erase_if(texts, [&, i = size_t{0}](const std::string&) mutable { return !ok[i++]; });
    trainer.add_texts(texts);
    progress.update(corpus.bytes_read());
  }
  progress.finish();
  if (trainer.texts() == 0)
    fail_hint(fmt::format("each line must be a JSON object with a string \"{}\" (--field)", field),
              "no texts found in the training corpus ({} malformed lines)", malformed.count());
  TokenizerTrainingSummary summary;
  summary.result = trainer.train();
  summary.texts = trainer.texts();
  summary.bytes = trainer.bytes();
  summary.malformed_lines = malformed.count();
  if (!output.parent_path().empty()) create_directories(output.parent_path());
  write_file_atomic(output, summary.result.tokenizer_json);
  write_file_atomic(output.parent_path() / "tokenizer_config.json", summary.result.tokenizer_config_json);
  summary.seconds = clock.seconds();
  return summary;
}

}  // namespace dsmath
