// dsmath tokenizer encode|decode|info|train: inspect a tokenizer.json, or train one
// (docs/tokenizer.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"
#include "core/timer.hpp"
#include "data/jsonl.hpp"
#include "tokenizer/corpus_reader.hpp"
#include "tokenizer/parallel_for.hpp"
#include "tokenizer/tokenizer.hpp"
#include "tokenizer/utf8.hpp"

namespace dsmath::app {

void register_tokenizer_train(CLI::App& tokenizer);  // cmd_tokenizer_train.cpp

namespace {

std::string read_stdin() { return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()); }

// Bytes of a token for display: printable text as is, other bytes (parts of a multi-byte
// character, controls) as \xNN, so every token is visible on one line.
std::string show_bytes(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size();) {
    const auto b = static_cast<uint8_t>(bytes[i]);
    const size_t n = utf8_sequence_length(bytes, i);
    if (n > 1 || (n == 1 && b >= 0x20 && b != 0x7F && b != '\\')) {
      out.append(bytes.substr(i, n));
      i += n;
    } else {
      out += b == '\\' ? std::string("\\\\") : b == '\n' ? std::string("\\n") : b == '\t' ? std::string("\\t") : fmt::format("\\x{:02X}", b);
      ++i;
    }
  }
  return out;
}

std::vector<uint32_t> parse_ids(const std::string& text) {
  std::vector<uint32_t> ids;
  std::string token;
  auto flush = [&] {
    if (token.empty()) return;
    size_t used = 0;
    unsigned long long v = 0;
    try {
      v = std::stoull(token, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != token.size() || v > UINT32_MAX)
      fail_hint("give ids as integers separated by spaces or commas (a JSON array works too)", "'{}' is not a token id", token);
    ids.push_back(static_cast<uint32_t>(v));
    token.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r' || c == '[' || c == ']')
      flush();
    else
      token.push_back(c);
  }
  flush();
  return ids;
}

struct EncodeOptions {
  std::string tokenizer, text, input, field = "text", output;
  bool special = false, show_tokens = false;
  int threads = 0, repeat = 1;
};

// Batch mode: every record of a JSONL file, timed (the throughput benchmark uses it).
void encode_file(const Tokenizer& tok, const EncodeOptions& o) {
  CorpusReader corpus({o.input});
  CorpusBatch batch;
  MalformedLines malformed(false);
  std::vector<std::string> texts;
  std::string error;
  while (corpus.next(batch, 1 << 16, 1u << 30))
    for (size_t i = 0; i < batch.size(); ++i) {
      if (auto t = corpus_text(batch.lines[i], o.field, corpus.where(batch, i), error))
        texts.push_back(std::move(*t));
      else
        malformed.report(error);
    }
  uint64_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  std::vector<std::vector<uint32_t>> ids;
  double best_s = 1e30;
  for (int r = 0; r < std::max(o.repeat, 1); ++r) {
    Stopwatch clock;
    ids = tok.encode_batch(texts, o.special, o.threads);
    best_s = std::min(best_s, clock.seconds());
  }
  uint64_t tokens = 0;
  for (const auto& v : ids) tokens += v.size();
  if (!o.output.empty()) {
    JsonlWriter out(o.output);
    for (const auto& v : ids) out.write(Json{{"ids", v}});
    out.commit();
  }
  fmt::print("encode: {} texts, {} bytes, {} tokens ({:.3f} bytes/token) in {:.3f} s: {:.2f} MB/s on {} thread(s){}{}\n",
             texts.size(), bytes, tokens, tokens ? static_cast<double>(bytes) / static_cast<double>(tokens) : 0.0, best_s,
             static_cast<double>(bytes) / 1e6 / best_s, resolve_thread_count(o.threads),
             o.repeat > 1 ? fmt::format(" (best of {})", o.repeat) : "",
             malformed.count() ? fmt::format(", {} malformed lines skipped", malformed.count()) : "");
}

}  // namespace

void register_tokenizer_command(CLI::App& app) {
  auto* group = app.add_subcommand("tokenizer", "inspect a tokenizer.json (encode, decode, info) or train a new one");
  group->require_subcommand(1);

  auto eo = std::make_shared<EncodeOptions>();
  auto* encode = group->add_subcommand("encode", "print the token ids of a text (--text, or stdin), or encode a JSONL file");
  encode->add_option("-t,--tokenizer", eo->tokenizer, "tokenizer.json, or a directory holding it")->required();
  auto* text_opt = encode->add_option("--text", eo->text, "the text (default: all of stdin)");
  encode->add_option("-i,--input", eo->input, "encode every record of this JSONL file instead (prints throughput)")
      ->excludes(text_opt);
  encode->add_option("--field", eo->field, "JSON field holding the text (with --input)");
  encode->add_option("-o,--output", eo->output, "with --input: write {\"ids\": [...]} per record to this JSONL file");
  encode->add_option("--threads", eo->threads, "threads for --input (0: all cores)")->check(CLI::NonNegativeNumber);
  encode->add_option("--repeat", eo->repeat, "with --input: encode this many times, report the fastest")->check(CLI::PositiveNumber);
  encode->add_flag("--special", eo->special, "add the post-processor's special tokens (BOS), as add_special_tokens=True");
  encode->add_flag("--show-tokens", eo->show_tokens, "one line per token: id, bytes, vocab string");
  encode->callback([eo, text_opt] {
    const Tokenizer tok = Tokenizer::load(eo->tokenizer);
    if (!eo->input.empty()) return encode_file(tok, *eo);
    const std::string text = text_opt->count() > 0 ? eo->text : read_stdin();
    const auto ids = tok.encode(text, eo->special);
    if (!eo->show_tokens) {
      std::vector<std::string> parts;
      for (uint32_t id : ids) parts.push_back(std::to_string(id));
      fmt::print("{}\n", join(parts, " "));
      return;
    }
    for (uint32_t id : ids)
      fmt::print("{}\t{}\t{}{}\n", id, show_bytes(tok.token_bytes(id)), *tok.id_to_token(id), tok.is_special(id) ? "\t(special)" : "");
  });

  auto ids_text = std::make_shared<std::string>();
  auto decode_tokenizer = std::make_shared<std::string>();
  auto skip_special = std::make_shared<bool>(false);
  auto* decode = group->add_subcommand("decode", "print the text of token ids (--ids, or stdin); exactly the text, no newline added");
  decode->add_option("-t,--tokenizer", *decode_tokenizer, "tokenizer.json, or a directory holding it")->required();
  decode->add_option("--ids", *ids_text, "ids separated by spaces or commas (default: stdin)");
  decode->add_flag("--skip-special", *skip_special, "leave out special tokens (BOS, EOS), as skip_special_tokens=True");
  decode->callback([=] {
    const Tokenizer tok = Tokenizer::load(*decode_tokenizer);
    const auto ids = parse_ids(ids_text->empty() ? read_stdin() : *ids_text);
    size_t undefined = 0;
    for (uint32_t id : ids) undefined += tok.is_defined(id) ? 0 : 1;
    if (undefined > 0)
      log::warn("{} id(s) are not tokens of this tokenizer (it defines ids below {}); they decode to nothing", undefined,
                tok.vocab_size());
    const std::string text = tok.decode(ids, *skip_special);
    std::fwrite(text.data(), 1, text.size(), stdout);
  });

  auto info_tokenizer = std::make_shared<std::string>();
  auto* info = group->add_subcommand("info", "print a tokenizer's vocabulary size, special tokens and fingerprint");
  info->add_option("-t,--tokenizer", *info_tokenizer, "tokenizer.json, or a directory holding it")->required();
  info->callback([=] {
    const Tokenizer tok = Tokenizer::load(*info_tokenizer);
    auto name = [&](std::optional<uint32_t> id) {
      return id ? fmt::format("{} {}", *id, *tok.id_to_token(*id)) : std::string("none");
    };
    fmt::print("tokenizer: {}\n", tok.source());
    fmt::print("vocab size (len(tokenizer)): {}  model tokens: {}  merges: {}  added tokens: {}\n", tok.vocab_size(),
               tok.model().size(), tok.model().n_merges(), tok.added_vocabulary().tokens().size());
    fmt::print("bos: {}  eos: {}  pad: {}  encode(add_special_tokens) adds {} before, {} after\n", name(tok.bos_id()),
               name(tok.eos_id()), name(tok.pad_id()), tok.prefix_ids().size(), tok.suffix_ids().size());
    fmt::print("chat template: {}\n", tok.chat_template().empty() ? "none" : "from tokenizer_config.json");
    fmt::print("fingerprint: {}\n", hex64(tok.fingerprint()));
  });

  register_tokenizer_train(*group);
}

}  // namespace dsmath::app
