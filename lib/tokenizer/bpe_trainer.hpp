#pragma once
// Trains a byte-level BPE vocabulary (Sennrich et al. 2016, GPT-2's byte-level variant) and
// writes it as a tokenizer.json that `tokenizers` loads and encodes identically.
//
// Pieces come from the chosen pre-tokenizer (GPT-2's regex, or DeepSeek LLM's splits with one
// digit per piece); special tokens in the corpus are split out first, as at encode time.
// Training starts from the 256 byte tokens (id = byte value) and repeatedly merges the most
// frequent adjacent pair over all pieces, weighted by piece counts. Ties are broken by the
// smaller (left id, right id): the result depends only on the corpus, never on thread count
// or hash order. A merge whose result already exists (ab+c after a+bc) adds the merge but no
// new token. Training stops at vocab_size or when no pair occurs min_frequency times. Special
// tokens take the ids after the merged tokens.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/added_vocabulary.hpp"
#include "tokenizer/corpus_reader.hpp"
#include "tokenizer/pre_tokenizer.hpp"

namespace dsmath {

struct BpeTrainerOptions {
  uint32_t vocab_size = 4096;  // all ids: 256 bytes + merged tokens + special tokens
  uint64_t min_frequency = 2;
  std::string pre_tokenizer = "deepseek";  // "deepseek" or "gpt2"
  std::string bos_token = "<|begin_of_text|>";  // "" for none
  std::string eos_token = "<|end_of_text|>";
  std::vector<std::string> extra_special_tokens;
  bool add_bos = true;  // the post-processor puts BOS before each encoded text
  int n_threads = 0;    // 0: all cores
};

struct TrainedTokenizer {
  std::string tokenizer_json;         // tokenizer.json text
  std::string tokenizer_config_json;  // tokenizer_config.json text (bos/eos, chat template)
  uint32_t vocab_size = 0;
  uint32_t merges = 0;
  uint64_t unique_pieces = 0;
};

class BpeTrainer {
 public:
  explicit BpeTrainer(BpeTrainerOptions options);
  // Counts the pieces of `texts` (in parallel); call repeatedly to stream a corpus.
  void add_texts(std::span<const std::string> texts);
  TrainedTokenizer train() const;

  uint64_t texts() const { return texts_; }
  uint64_t bytes() const { return bytes_; }

 private:
  BpeTrainerOptions options_;
  PreTokenizer pre_tokenizer_;
  AddedVocabulary specials_;  // split out of the corpus text; ids are placeholders
  std::vector<std::string> special_tokens_;
  std::unordered_map<std::string, uint64_t> piece_counts_;
  uint64_t texts_ = 0, bytes_ = 0;
};

struct TokenizerTrainingSummary {
  uint64_t texts = 0;
  uint64_t bytes = 0;
  uint64_t malformed_lines = 0;
  TrainedTokenizer result;
  double seconds = 0;
};

// Reads the `field` of every JSONL record of `corpus`, trains, and writes `output`
// (tokenizer.json) and tokenizer_config.json beside it, atomically.
TokenizerTrainingSummary train_tokenizer(CorpusReader& corpus, const std::string& field, const BpeTrainerOptions& options,
                                         const std::filesystem::path& output, bool strict);

}  // namespace dsmath
