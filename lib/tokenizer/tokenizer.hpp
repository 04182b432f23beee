#pragma once
// A Hugging Face byte-level BPE tokenizer (tokenizer.json) that encodes and decodes exactly as
// the `tokenizers` library does (see docs/tokenizer.md):
//   text -> (invalid UTF-8 replaced by U+FFFD) -> added tokens split out -> pre-tokenizer
//   pieces -> byte-level BPE per piece -> (add_special_tokens) post-processor BOS/EOS.
// Decoding concatenates each token's bytes (ByteLevel decoder) and replaces invalid UTF-8 the
// way Rust's String::from_utf8_lossy does. A Tokenizer is immutable after loading; every const
// method may be called from many threads at once.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/added_vocabulary.hpp"
#include "tokenizer/bpe_model.hpp"
#include "tokenizer/pre_tokenizer.hpp"

namespace dsmath {

// Byte range [begin, end) of the (UTF-8-repaired) input text that produced a token; tokens the
// post-processor adds have an empty range at the start or end of the text.
struct TokenSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
};

class Tokenizer {
 public:
  // `path`: a tokenizer.json file, or a directory holding one. A tokenizer_config.json beside
  // it supplies bos/eos/pad token names and the chat template (optional).
  static Tokenizer load(const std::filesystem::path& path);
  // Parses tokenizer.json text; `where` names it in error messages.
  static Tokenizer from_json_text(std::string_view json_text, const std::string& where,
                                  const nlohmann::json& tokenizer_config = nullptr);

  // Token ids of `text`; with add_special_tokens the post-processor's tokens (BOS) are added,
  // as `Tokenizer.encode(text, add_special_tokens=True)` does. Added tokens in the text (e.g.
  // "<|endoftext|>") are always recognized, as in `tokenizers`.
  std::vector<uint32_t> encode(std::string_view text, bool add_special_tokens) const;
  // Appends to ids (and spans, when given).
  void encode_into(std::string_view text, bool add_special_tokens, std::vector<uint32_t>& ids,
                   std::vector<TokenSpan>* spans = nullptr) const;
  // Encodes texts on n_threads threads (0: all cores); the result is the same for any count.
  std::vector<std::vector<uint32_t>> encode_batch(std::span<const std::string_view> texts, bool add_special_tokens,
                                                  int n_threads = 0) const;
  std::vector<std::vector<uint32_t>> encode_batch(std::span<const std::string> texts, bool add_special_tokens,
                                                  int n_threads = 0) const;

  // Text of `ids`; ids the tokenizer does not define are skipped, as `tokenizers` skips them
  // (e.g. the 2,385 DeepSeek embedding rows past len(tokenizer)).
  std::string decode(std::span<const uint32_t> ids, bool skip_special_tokens) const;

  // 1 + the largest id of the model or the added tokens: len(tokenizer) in `transformers`.
  uint32_t vocab_size() const { return static_cast<uint32_t>(token_bytes_.size()); }
  bool is_defined(uint32_t id) const { return id < defined_.size() && defined_[id]; }
  bool is_special(uint32_t id) const { return id < special_.size() && special_[id]; }
  std::optional<uint32_t> token_to_id(std::string_view token) const;
  // The token string as stored in tokenizer.json (byte-level text for BPE tokens).
  std::optional<std::string> id_to_token(uint32_t id) const;
  // The bytes `id` decodes to ("" for undefined ids); concatenating these and repairing UTF-8
  // is decode(), which lets generation stream text as complete characters arrive.
  std::string_view token_bytes(uint32_t id) const;

  std::optional<uint32_t> bos_id() const { return bos_id_; }
  std::optional<uint32_t> eos_id() const { return eos_id_; }
  std::optional<uint32_t> pad_id() const { return pad_id_; }
  // Ids the post-processor puts before / after a single sequence (BOS for DeepSeek).
  const std::vector<uint32_t>& prefix_ids() const { return prefix_ids_; }
  const std::vector<uint32_t>& suffix_ids() const { return suffix_ids_; }
  // tokenizer_config.json's chat_template ("" when absent); see chat_template.hpp.
  const std::string& chat_template() const { return chat_template_; }

  // XXH3-64 of the tokenizer.json bytes: shards record it so training can check its tokenizer.
  uint64_t fingerprint() const { return fingerprint_; }
  const std::string& source() const { return source_; }  // path or description

  const BpeModel& model() const { return *model_; }
  const AddedVocabulary& added_vocabulary() const { return added_; }
  const PreTokenizer& pre_tokenizer() const { return pre_tokenizer_; }
  const nlohmann::json& post_processor_json() const { return post_processor_json_; }

 private:
  Tokenizer() = default;
  void resolve_special_tokens(const nlohmann::json& tokenizer_config);

  std::shared_ptr<const BpeModel> model_;
  AddedVocabulary added_;
  PreTokenizer pre_tokenizer_;
  nlohmann::json post_processor_json_;
  std::vector<uint32_t> prefix_ids_, suffix_ids_;
  std::vector<std::string> token_bytes_;
  std::vector<std::string> added_content_;  // by id, "" unless an added token
  std::vector<bool> defined_, special_;
  std::optional<uint32_t> bos_id_, eos_id_, pad_id_;
  std::string chat_template_;
  uint64_t fingerprint_ = 0;
  std::string source_;
};

// Every id the tokenizer defines must have an embedding row in the model it feeds (fewer ids
// than rows is normal: DeepSeek's tokenizer defines 100015 ids for a 102400-row embedding).
void check_tokenizer_fits(const Tokenizer& tokenizer, int embedding_rows, const std::string& model_source);

}  // namespace dsmath
