// dsmath tokenize: JSONL text -> token shards for pretraining (docs/tokenizer.md).
#include <CLI/CLI.hpp>

#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "core/strings.hpp"
#include "tokenizer/shard_tokenizer.hpp"

namespace dsmath::app {

void register_tokenize_command(CLI::App& app) {
  struct Options {
    std::string tokenizer, out_dir;
    std::vector<std::string> inputs;
    TokenizeOptions run;
    bool no_bos = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("tokenize", "tokenize JSONL text into token shards (BOS? text EOS per document)");
  cmd->add_option("-t,--tokenizer", o->tokenizer, "tokenizer.json, or a directory holding it")->required();
  cmd->add_option("-i,--input", o->inputs, "JSONL files, plain or .gz (repeatable; read in order)")->required();
  cmd->add_option("-o,--output-dir", o->out_dir, "directory for shard-NNNNN.bin and tokenize.json")->required();
  cmd->add_option("--field", o->run.field, "JSON field holding the text");
  cmd->add_option("--shard-tokens", o->run.shard_tokens, "at most this many tokens per shard")->check(CLI::PositiveNumber);
  cmd->add_flag("--no-bos", o->no_bos, "do not start documents with BOS (EOS always ends them)");
  cmd->add_flag("--strict", o->run.strict, "a malformed JSONL line is an error (default: skipped, counted, reported)");
  cmd->add_flag("--overwrite", o->run.overwrite, "replace shards of an earlier run in the output directory");
  cmd->add_option("--threads", o->run.n_threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
  cmd->callback([o] {
    const Tokenizer tok = Tokenizer::load(o->tokenizer);
    o->run.inputs.assign(o->inputs.begin(), o->inputs.end());
    o->run.out_dir = o->out_dir;
    o->run.add_bos = !o->no_bos;
    const auto s = tokenize_to_shards(tok, o->run);
    fmt::print("tokenize: {} documents, {} tokens, {:.3f} bytes/token, {} shard(s){}{} in {:.1f}s ({}/s) -> {}\n",
               s.documents, s.tokens, s.bytes_per_token(), s.shards.size(),
               s.empty_documents ? fmt::format(", {} empty texts skipped", s.empty_documents) : "",
               s.malformed_lines ? fmt::format(", {} malformed lines skipped", s.malformed_lines) : "", s.seconds,
               human_bytes(static_cast<double>(s.text_bytes) / std::max(s.seconds, 1e-9)), o->out_dir);
  });
}

}  // namespace dsmath::app
