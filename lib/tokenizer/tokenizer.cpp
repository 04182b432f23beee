#include "tokenizer/tokenizer.hpp"

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "tokenizer/byte_level.hpp"
#include "tokenizer/parallel_for.hpp"
#include "tokenizer/utf8.hpp"

namespace dsmath {

namespace {

using json = nlohmann::json;

const std::string kFormatHint = "compare with a tokenizer.json saved by the `tokenizers` library";

bool flag(const json& j, const char* key, bool fallback, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) fail_hint(kFormatHint, "{}.{}: expected true or false, got {}", where, key, it->dump());
  return it->get<bool>();
}

std::string string_of(const json& j, const std::string& where) {
  if (!j.is_string()) fail_hint(kFormatHint, "{}: expected a string, got {}", where, j.dump().substr(0, 80));
  return j.get<std::string>();
}

uint32_t id_of(const json& j, const std::string& where) {
  if (!j.is_number_unsigned() || j.get<uint64_t>() >= (1ULL << 31))
    fail_hint(kFormatHint, "{}: expected a token id (a non-negative integer below 2^31), got {}", where, j.dump());
  return j.get<uint32_t>();
}

// tokenizer_config.json writes special tokens as "text" or {"content": "text", ...}.
std::optional<std::string> config_token(const json& config, const char* key) {
  if (!config.is_object()) return std::nullopt;
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) return (*it)["content"].get<std::string>();
  return std::nullopt;
}

std::unique_ptr<BpeModel> parse_model(const json& m, const std::string& where) {
  const std::string w = where + ": model";
  if (!m.is_object()) fail_hint(kFormatHint, "{}: expected an object", w);
  if (m.contains("type") && m["type"] != "BPE")
    fail_hint("dsmath implements byte-level BPE tokenizers (GPT-2, LLaMA 3, DeepSeek, Qwen...)",
              "{}.type is {}, not \"BPE\"", w, m["type"].dump());
  if (flag(m, "byte_fallback", false, w))
    fail_hint("byte_fallback belongs to SentencePiece-style BPE, not byte-level BPE", "{}.byte_fallback is true", w);
  if (m.contains("dropout") && !m["dropout"].is_null() && m["dropout"].is_number() && m["dropout"].get<double>() > 0)
    fail_hint("set \"dropout\": null for deterministic encoding", "{}.dropout is {} (BPE-dropout is random)", w,
              m["dropout"].dump());
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (m.contains(key) && !m[key].is_null() && !(m[key].is_string() && m[key].get<std::string>().empty()))
      fail_hint("byte-level BPE uses neither", "{}.{} is {}: subword prefixes/suffixes are not supported", w, key,
                m[key].dump());

  auto vit = m.find("vocab");
  if (vit == m.end() || !vit->is_object()) fail_hint(kFormatHint, "{}.vocab: expected an object of token -> id", w);
  uint32_t max_id = 0;
  for (auto it = vit->begin(); it != vit->end(); ++it) max_id = std::max(max_id, id_of(it.value(), w + ".vocab[\"" + it.key() + "\"]"));
  std::vector<std::string> vocab(vit->empty() ? 0 : max_id + 1);
  for (auto it = vit->begin(); it != vit->end(); ++it) {
    auto& slot = vocab[it.value().get<uint32_t>()];
    if (!slot.empty() || it.key().empty())
      fail_hint(kFormatHint, "{}.vocab: id {} is given to both '{}' and '{}'", w, it.value().get<uint32_t>(), slot, it.key());
    slot = it.key();
  }

  std::vector<std::pair<std::string, std::string>> merges;
  if (auto mit = m.find("merges"); mit != m.end() && !mit->is_null()) {
    if (!mit->is_array()) fail_hint(kFormatHint, "{}.merges: expected an array", w);
    merges.reserve(mit->size());
    for (size_t i = 0; i < mit->size(); ++i) {
      const json& e = (*mit)[i];
      if (e.is_string()) {
        // "left right": exactly one space, as `tokenizers` requires
        const auto& s = e.get_ref<const std::string&>();
        const size_t space = s.find(' ');
        if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
          fail_hint(kFormatHint, "{}.merges[{}]: '{}' is not two tokens separated by one space", w, i, s);
        merges.emplace_back(s.substr(0, space), s.substr(space + 1));
      } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
        merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
      } else {
        fail_hint(kFormatHint, "{}.merges[{}]: expected \"a b\" or [\"a\", \"b\"], got {}", w, i, e.dump());
      }
    }
  }
  std::optional<uint32_t> unk;
  if (auto uit = m.find("unk_token"); uit != m.end() && !uit->is_null()) {
    const std::string name = string_of(*uit, w + ".unk_token");
    auto found = vit->find(name);
    if (found == vit->end()) fail_hint(kFormatHint, "{}.unk_token '{}' is not in the vocab", w, name);
    unk = found->get<uint32_t>();
  }
  return std::make_unique<BpeModel>(std::move(vocab), merges, unk, flag(m, "fuse_unk", false, w),
                                    flag(m, "ignore_merges", false, w), where);
}

std::vector<AddedToken> parse_added_tokens(const json& j, const std::string& where) {
  std::vector<AddedToken> out;
  if (j.is_null()) return out;
  if (!j.is_array()) fail_hint(kFormatHint, "{}: added_tokens: expected an array", where);
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string w = where + ": added_tokens[" + std::to_string(i) + "]";
    const json& t = j[i];
    if (!t.is_object() || !t.contains("id") || !t.contains("content"))
      fail_hint(kFormatHint, "{}: expected an object with id and content", w);
    AddedToken a;
    a.id = id_of(t["id"], w + ".id");
    a.content = string_of(t["content"], w + ".content");
    a.single_word = flag(t, "single_word", false, w);
    a.lstrip = flag(t, "lstrip", false, w);
    a.rstrip = flag(t, "rstrip", false, w);
    a.normalized = flag(t, "normalized", true, w);
    a.special = flag(t, "special", false, w);
    out.push_back(std::move(a));
  }
  return out;
}

// Ids a post-processor adds around a single sequence (`tokenizers` processors/*.rs).
void parse_post_processor(const json& p, const std::string& where, std::vector<uint32_t>& prefix,
                          std::vector<uint32_t>& suffix) {
  if (p.is_null()) return;
  const std::string w = where + ": post_processor";
  const std::string type = p.contains("type") && p["type"].is_string() ? p["type"].get<std::string>() : "";
  if (type == "ByteLevel") return;  // trims offsets only
  if (type == "Sequence") {
    if (!p.contains("processors") || !p["processors"].is_array()) fail_hint(kFormatHint, "{}.processors: expected an array", w);
    for (const json& q : p["processors"]) parse_post_processor(q, where, prefix, suffix);
    return;
  }
  if (type == "RobertaProcessing" || type == "BertProcessing") {
    // {"cls": [token, id], "sep": [token, id]}: <cls> $A <sep>
    for (const char* key : {"cls", "sep"})
      if (!p.contains(key) || !p[key].is_array() || p[key].size() != 2)
        fail_hint(kFormatHint, "{}.{}: expected [token, id]", w, key);
    prefix.push_back(id_of(p["cls"][1], w + ".cls"));
    suffix.push_back(id_of(p["sep"][1], w + ".sep"));
    return;
  }
  if (type != "TemplateProcessing")
    fail_hint("supported: TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence",
              "{}: type '{}' is not supported", w, type);
  if (!p.contains("single") || !p["single"].is_array()) fail_hint(kFormatHint, "{}.single: expected an array", w);
  const json specials = p.value("special_tokens", json::object());
  bool seen_sequence = false;
  for (const json& piece : p["single"]) {
    if (piece.contains("Sequence")) {
      const json& seq = piece["Sequence"];
      if (seq.value("id", "A") != "A") fail_hint("the single template may only hold $A", "{}.single: sequence {} in a single template", w, seq.dump());
      if (seen_sequence) fail_hint("the single template holds $A once", "{}.single: $A appears twice", w);
      seen_sequence = true;
    } else if (piece.contains("SpecialToken")) {
      const std::string name = string_of(piece["SpecialToken"]["id"], w + ".single[].SpecialToken.id");
      if (!specials.contains(name) || !specials[name].contains("ids") || !specials[name]["ids"].is_array())
        fail_hint(kFormatHint, "{}: special token '{}' of the template is not in special_tokens", w, name);
      auto& dst = seen_sequence ? suffix : prefix;
      for (const json& id : specials[name]["ids"]) dst.push_back(id_of(id, w + ".special_tokens[\"" + name + "\"].ids"));
    } else {
      fail_hint(kFormatHint, "{}.single: unexpected item {}", w, piece.dump());
    }
  }
  if (!seen_sequence) fail_hint("add {\"Sequence\": {\"id\": \"A\"}} to the template", "{}.single has no $A", w);
}

}  // namespace

Tokenizer Tokenizer::load(const std::filesystem::path& path) {
  std::filesystem::path file = path;
  if (std::filesystem::is_directory(path)) file = path / "tokenizer.json";
  if (!std::filesystem::exists(file))
    fail_hint("pass a tokenizer.json file or a directory holding one (e.g. an HF model directory)",
              "tokenizer '{}' not found", file.string());
  const std::string text = read_file(file);
  json config = nullptr;
  const auto config_path = file.parent_path() / "tokenizer_config.json";
  if (std::filesystem::exists(config_path)) {
    try {
      config = json::parse(read_file(config_path));
    } catch (const json::parse_error& e) {
      fail_hint("fix or remove the file", "{}: malformed JSON: {}", config_path.string(), e.what());
    }
  }
  return from_json_text(text, file.string(), config);
}

Tokenizer Tokenizer::from_json_text(std::string_view json_text, const std::string& where, const json& tokenizer_config) {
  json j;
  try {
    // nlohmann::json, not the ordered variant: a 100k-key vocab object would insert in O(n^2)
    j = json::parse(json_text);
  } catch (const json::parse_error& e) {
    fail_hint("the file must be a tokenizer.json saved by the `tokenizers` library", "{}: malformed JSON: {}", where, e.what());
  }
  if (!j.is_object()) fail_hint(kFormatHint, "{}: expected a JSON object", where);
  Tokenizer t;
  t.source_ = where;
  t.fingerprint_ = hash64(json_text);
  if (j.contains("normalizer") && !j["normalizer"].is_null())
    fail_hint("byte-level BPE tokenizers have \"normalizer\": null; dsmath does not implement normalizers",
              "{}: normalizer {} is not supported", where, j["normalizer"].dump().substr(0, 120));
  if (!j.contains("model")) fail_hint(kFormatHint, "{}: missing key 'model'", where);
  t.model_ = parse_model(j["model"], where);
  t.added_ = AddedVocabulary(parse_added_tokens(j.value("added_tokens", json()), where));
  t.pre_tokenizer_ = PreTokenizer::from_json(j.value("pre_tokenizer", json()), where);
  t.post_processor_json_ = j.value("post_processor", json());
  parse_post_processor(t.post_processor_json_, where, t.prefix_ids_, t.suffix_ids_);
  const json decoder = j.value("decoder", json());
  if (!decoder.is_object() || decoder.value("type", "") != "ByteLevel")
    fail_hint("byte-level BPE needs \"decoder\": {\"type\": \"ByteLevel\", ...}", "{}: decoder {} is not supported", where,
              decoder.dump().substr(0, 120));
  if (j.contains("truncation") && !j["truncation"].is_null())
    log::warn("{}: the truncation setting is ignored; dsmath callers truncate explicitly", where);
  if (j.contains("padding") && !j["padding"].is_null())
    log::warn("{}: the padding setting is ignored; dsmath callers pad explicitly", where);

  // per-id tables over model and added ids
  uint32_t size = static_cast<uint32_t>(t.model_->size());
  for (const auto& a : t.added_.tokens()) size = std::max(size, a.id + 1);
  t.token_bytes_.assign(size, {});
  t.added_content_.assign(size, {});
  t.defined_.assign(size, false);
  t.special_.assign(size, false);
  const auto& vocab = t.model_->vocab();
  for (uint32_t id = 0; id < vocab.size(); ++id) {
    if (vocab[id].empty()) continue;
    auto bytes = byte_level_token_bytes(vocab[id]);
    if (!bytes) fail_hint(kFormatHint, "{}: vocab token of id {} is not valid UTF-8", where, id);
    t.token_bytes_[id] = std::move(*bytes);
    t.defined_[id] = true;
  }
  for (const auto& a : t.added_.tokens()) {
    auto bytes = byte_level_token_bytes(a.content);
    if (!bytes) fail_hint(kFormatHint, "{}: added token of id {} is not valid UTF-8", where, a.id);
    t.token_bytes_[a.id] = std::move(*bytes);
    t.added_content_[a.id] = a.content;
    t.defined_[a.id] = true;
    t.special_[a.id] = a.special;
  }
  for (uint32_t id : t.prefix_ids_)
    if (!t.is_defined(id)) fail_hint(kFormatHint, "{}: post_processor adds id {}, which no token has", where, id);
  for (uint32_t id : t.suffix_ids_)
    if (!t.is_defined(id)) fail_hint(kFormatHint, "{}: post_processor adds id {}, which no token has", where, id);
  t.resolve_special_tokens(tokenizer_config);
  return t;
}

void Tokenizer::resolve_special_tokens(const json& config) {
  auto lookup = [&](const char* key) -> std::optional<uint32_t> {
    auto name = config_token(config, key);
    if (!name) return std::nullopt;
    auto id = token_to_id(*name);
    if (!id) log::warn("{}: tokenizer_config.json {} '{}' is not a token of this tokenizer; ignored", source_, key, *name);
    return id;
  };
  bos_id_ = lookup("bos_token");
  eos_id_ = lookup("eos_token");
  pad_id_ = lookup("pad_token");
  if (!bos_id_ && !prefix_ids_.empty()) bos_id_ = prefix_ids_.front();
  if (!eos_id_) {
    // without a tokenizer_config.json: the usual end-of-text names (GPT-2, LLaMA 3, DeepSeek, LLaMA 2)
    for (const char* name : {"<|endoftext|>", "<|end_of_text|>", "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>", "</s>"})
      if (auto id = token_to_id(name); id && is_special(*id)) {
        eos_id_ = id;
        break;
      }
  }
  if (config.is_object() && config.contains("chat_template")) {
    const json& ct = config["chat_template"];
    if (ct.is_string()) {
      chat_template_ = ct.get<std::string>();
    } else if (ct.is_array()) {  // [{"name": "default", "template": ...}, ...]
      for (const json& e : ct)
        if (e.is_object() && e.value("name", "") == "default" && e.contains("template") && e["template"].is_string())
          chat_template_ = e["template"].get<std::string>();
    }
  }
}

std::optional<uint32_t> Tokenizer::token_to_id(std::string_view token) const {
  for (const auto& a : added_.tokens())
    if (a.content == token) return a.id;
  return model_->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(uint32_t id) const {
  if (!is_defined(id)) return std::nullopt;
  if (!added_content_[id].empty()) return added_content_[id];
  return model_->vocab()[id];
}

std::string_view Tokenizer::token_bytes(uint32_t id) const {
  if (id >= token_bytes_.size()) return {};
  return token_bytes_[id];
}

void Tokenizer::encode_into(std::string_view text, bool add_special_tokens, std::vector<uint32_t>& ids,
                            std::vector<TokenSpan>* spans) const {
  thread_local std::string repaired;
  thread_local std::vector<TextSegment> segments;
  thread_local std::vector<PreToken> pieces;
  thread_local std::string piece_bytes;
  thread_local std::vector<uint32_t> lengths;
  if (!is_valid_utf8(text)) {
    repaired = repair_utf8(text);
    text = repaired;
  }
  if (text.size() >= (1ULL << 32) - 1)
    fail_hint("split the document", "a text of {} bytes is too long to tokenize (limit 4 GiB)", text.size());
  const auto text_end = static_cast<uint32_t>(text.size());
  if (add_special_tokens) {
    ids.insert(ids.end(), prefix_ids_.begin(), prefix_ids_.end());
    if (spans) spans->insert(spans->end(), prefix_ids_.size(), TokenSpan{0, 0});
  }
  added_.split(text, segments);
  for (const TextSegment& seg : segments) {
    if (seg.token_id >= 0) {
      ids.push_back(static_cast<uint32_t>(seg.token_id));
      if (spans) spans->push_back({seg.begin, seg.end});
      continue;
    }
    const std::string_view segment = text.substr(seg.begin, seg.end - seg.begin);
    pieces.clear();
    pre_tokenizer_.split(segment, pieces);
    for (const PreToken& p : pieces) {
      const std::string_view bytes = p.bytes(segment, piece_bytes);
      if (spans == nullptr) {
        model_->encode_piece(bytes, ids);
        continue;
      }
      lengths.clear();
      model_->encode_piece(bytes, ids, &lengths);
      // map piece byte positions to text offsets; the virtual prefix space has none
      uint32_t at = 0;
      const uint32_t origin = seg.begin + p.begin, shift = p.space_prefixed ? 1 : 0;
      for (uint32_t len : lengths) {
        const uint32_t b = at < shift ? 0 : at - shift, e = at + len - shift;
        spans->push_back({origin + b, origin + e});
        at += len;
      }
    }
  }
  if (add_special_tokens) {
    ids.insert(ids.end(), suffix_ids_.begin(), suffix_ids_.end());
    if (spans) spans->insert(spans->end(), suffix_ids_.size(), TokenSpan{text_end, text_end});
  }
}

std::vector<uint32_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  std::vector<uint32_t> ids;
  ids.reserve(text.size() / 3 + 4);
  encode_into(text, add_special_tokens, ids);
  return ids;
}

std::vector<std::vector<uint32_t>> Tokenizer::encode_batch(std::span<const std::string_view> texts, bool add_special_tokens,
                                                           int n_threads) const {
  std::vector<std::vector<uint32_t>> out(texts.size());
  parallel_for(texts.size(), n_threads, [&](size_t i) { out[i] = encode(texts[i], add_special_tokens); });
  return out;
}

std::vector<std::vector<uint32_t>> Tokenizer::encode_batch(std::span<const std::string> texts, bool add_special_tokens,
                                                           int n_threads) const {
  std::vector<std::string_view> views(texts.begin(), texts.end());
  return encode_batch(std::span<const std::string_view>(views), add_special_tokens, n_threads);
}

std::string Tokenizer::decode(std::span<const uint32_t> ids, bool skip_special_tokens) const {
  std::string bytes;
  for (uint32_t id : ids) {
    if (!is_defined(id) || (skip_special_tokens && special_[id])) continue;
    bytes += token_bytes_[id];
  }
  return repair_utf8(bytes);
}

void check_tokenizer_fits(const Tokenizer& tokenizer, int embedding_rows, const std::string& model_source) {
  if (tokenizer.vocab_size() > static_cast<uint32_t>(embedding_rows))
    fail_hint("use the tokenizer the model was trained with",
              "tokenizer '{}' defines {} ids but model '{}' has only {} embedding rows (tokenizer/model mismatch)",
              tokenizer.source(), tokenizer.vocab_size(), model_source, embedding_rows);
}

}  // namespace dsmath
