#include "tokenizer/shard_tokenizer.hpp"

#include <memory>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "core/timer.hpp"
#include "data/token_shard.hpp"
#include "tokenizer/corpus_reader.hpp"
#include "tokenizer/parallel_for.hpp"

namespace dsmath {

namespace {

bool is_our_output(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  return name == "tokenize.json" || (starts_with(name, "shard-") && p.extension() == ".bin");
}

void prepare_out_dir(const TokenizeOptions& options) {
  create_directories(options.out_dir);
  std::vector<std::filesystem::path> old;
  for (const auto& e : std::filesystem::directory_iterator(options.out_dir))
    if (is_our_output(e.path())) old.push_back(e.path());
  if (old.empty()) return;
  if (!options.overwrite)
    fail_hint("pass --overwrite to replace them, or choose another --output-dir",
              "output directory '{}' already holds shards or tokenize.json from an earlier run", options.out_dir.string());
  for (const auto& p : old) std::filesystem::remove(p);
}

// Cuts the document stream into shards of at most `limit` tokens.
class ShardSequence {
 public:
  ShardSequence(std::filesystem::path dir, uint64_t limit) : dir_(std::move(dir)), limit_(limit) {}

  void add(std::span<const uint32_t> doc) {
    if (writer_ && writer_->n_tokens() + doc.size() > limit_ && writer_->n_tokens() > 0) close();
    while (!doc.empty()) {
      if (!writer_) writer_ = std::make_unique<ShardWriter>(shard_path(dir_, paths_.size()));
      const size_t room = limit_ - writer_->n_tokens();
      const size_t take = std::min<size_t>(room, doc.size());
      writer_->add_document(doc.first(take));
      doc = doc.subspan(take);
      if (writer_->n_tokens() >= limit_) close();
    }
  }

  void close() {
    if (!writer_) return;
    writer_->finish();
    paths_.push_back(shard_path(dir_, paths_.size()));
    tokens_per_shard_.push_back(writer_->n_tokens());
    docs_per_shard_.push_back(writer_->n_docs());
    writer_.reset();
  }

  const std::vector<std::filesystem::path>& paths() const { return paths_; }
  const std::vector<uint64_t>& tokens_per_shard() const { return tokens_per_shard_; }
  const std::vector<uint64_t>& docs_per_shard() const { return docs_per_shard_; }

 private:
  std::filesystem::path dir_;
  uint64_t limit_;
  std::unique_ptr<ShardWriter> writer_;
  std::vector<std::filesystem::path> paths_;
  std::vector<uint64_t> tokens_per_shard_, docs_per_shard_;
};

}  // namespace

std::filesystem::path shard_path(const std::filesystem::path& out_dir, size_t index) {
  return out_dir / fmt::format("shard-{:05d}.bin", index);
}

TokenizeSummary tokenize_to_shards(const Tokenizer& tokenizer, const TokenizeOptions& options) {
  Stopwatch clock;
  if (!tokenizer.eos_id())
    fail_hint("add a tokenizer_config.json with \"eos_token\" beside tokenizer.json",
              "tokenizer '{}' has no end-of-sequence token to separate documents", tokenizer.source());
  if (options.add_bos && !tokenizer.bos_id())
    fail_hint("pass --no-bos, or use a tokenizer with a BOS token", "tokenizer '{}' has no BOS token", tokenizer.source());
  if (options.shard_tokens == 0) fail_hint("use a positive --shard-tokens", "shard size 0 tokens");
  if (options.field.empty()) fail_hint("pass --field NAME", "empty JSON field name");
  CorpusReader corpus(options.inputs);
  prepare_out_dir(options);

  const uint32_t eos = *tokenizer.eos_id();
  const uint32_t bos = options.add_bos ? *tokenizer.bos_id() : 0;
  TokenizeSummary summary;
  MalformedLines malformed(options.strict);
  ShardSequence shards(options.out_dir, options.shard_tokens);
  CorpusBatch batch;
  std::vector<std::vector<uint32_t>> docs;
  std::vector<std::string> errors;
  std::vector<uint64_t> text_bytes;
  std::vector<uint8_t> state;  // 0 malformed, 1 document, 2 empty
  Progress progress("tokenize", corpus.total_bytes_hint(), "bytes");
  while (corpus.next(batch, options.batch_lines, options.batch_bytes)) {
    const size_t n = batch.size();
    docs.resize(n);
    errors.assign(n, {});
    text_bytes.assign(n, 0);
    state.assign(n, 0);
    parallel_for(n, options.n_threads, [&](size_t i) {
      auto& doc = docs[i];
      doc.clear();
      auto text = corpus_text(batch.lines[i], options.field, corpus.where(batch, i), errors[i]);
      if (!text) return;
      if (text->empty()) {
        state[i] = 2;
        return;
      }
      state[i] = 1;
      text_bytes[i] = text->size();
      if (options.add_bos) doc.push_back(bos);
      tokenizer.encode_into(*text, false, doc);
      doc.push_back(eos);
    });
    for (size_t i = 0; i < n; ++i) {
      if (state[i] == 0) {
        malformed.report(errors[i]);
      } else if (state[i] == 2) {
        ++summary.empty_documents;
      } else {
        shards.add(docs[i]);
        ++summary.documents;
        summary.tokens += docs[i].size();
        summary.text_bytes += text_bytes[i];
      }
    }
    progress.update(corpus.bytes_read(), fmt::format("{} docs, {} tokens", human_count(static_cast<double>(summary.documents)),
                                                     human_count(static_cast<double>(summary.tokens))));
  }
  shards.close();
  progress.finish();
  summary.malformed_lines = malformed.count();
  summary.shards = shards.paths();
  summary.seconds = clock.seconds();
  if (summary.documents == 0)
    log::warn("tokenize: no documents written (every line was empty or malformed; field \"{}\")", options.field);

  Json record;
  record["tokenizer"] = tokenizer.source();
  record["tokenizer_fingerprint"] = hex64(tokenizer.fingerprint());
  record["vocab_size"] = tokenizer.vocab_size();
  record["bos_id"] = options.add_bos ? Json(bos) : Json(nullptr);
  record["eos_id"] = eos;
  Json inputs = Json::array();
  for (const auto& p : options.inputs) inputs.push_back(p.string());
  record["inputs"] = inputs;
  record["field"] = options.field;
  record["documents"] = summary.documents;
  record["empty_documents"] = summary.empty_documents;
  record["malformed_lines"] = summary.malformed_lines;
  record["tokens"] = summary.tokens;
  record["text_bytes"] = summary.text_bytes;
  record["bytes_per_token"] = summary.bytes_per_token();
  record["shard_tokens"] = options.shard_tokens;
  Json shard_list = Json::array();
  for (size_t i = 0; i < summary.shards.size(); ++i)
    shard_list.push_back({{"file", summary.shards[i].filename().string()},
                          {"tokens", shards.tokens_per_shard()[i]},
                          {"documents", shards.docs_per_shard()[i]}});
  record["shards"] = shard_list;
  record["seconds"] = summary.seconds;
  write_file_atomic(options.out_dir / "tokenize.json", record.dump(2) + "\n");
  return summary;
}

}  // namespace dsmath
