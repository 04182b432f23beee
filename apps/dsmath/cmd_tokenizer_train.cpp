// dsmath tokenizer train: a byte-level BPE vocabulary from a JSONL corpus (docs/tokenizer.md).
#include <CLI/CLI.hpp>

#include <memory>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "tokenizer/bpe_trainer.hpp"

namespace dsmath::app {

void register_tokenizer_train(CLI::App& tokenizer) {
  struct Options {
    std::vector<std::string> inputs;
    std::string field = "text", output;
    BpeTrainerOptions trainer;
    bool no_bos = false, strict = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = tokenizer.add_subcommand("train", "train a byte-level BPE tokenizer.json from JSONL text");
  cmd->add_option("-i,--input", o->inputs, "JSONL corpus, plain or .gz (repeatable)")->required();
  cmd->add_option("--field", o->field, "JSON field holding the text");
  cmd->add_option("--vocab-size", o->trainer.vocab_size, "all ids: 256 bytes + merged tokens + special tokens")->required();
  cmd->add_option("-o,--output", o->output, "tokenizer.json to write (tokenizer_config.json is written beside it)")->required();
  cmd->add_option("--pre-tokenizer", o->trainer.pre_tokenizer,
                  "deepseek (DeepSeek LLM splits, one digit per piece) or gpt2 (GPT-2 regex)")
      ->check(CLI::IsMember({"deepseek", "gpt2"}));
  cmd->add_option("--min-frequency", o->trainer.min_frequency, "merge only pairs seen at least this often");
  cmd->add_option("--bos", o->trainer.bos_token, "BOS token text");
  cmd->add_option("--eos", o->trainer.eos_token, "EOS token text (ends documents and assistant replies)");
  cmd->add_option("--special", o->trainer.extra_special_tokens, "another special token (repeatable)");
  cmd->add_flag("--no-bos", o->no_bos, "encode(add_special_tokens) adds no BOS (a BOS token is still defined if --bos is given)");
  cmd->add_flag("--strict", o->strict, "a malformed JSONL line is an error (default: skipped and counted)");
  cmd->add_option("--threads", o->trainer.n_threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
  cmd->callback([o] {
    o->trainer.add_bos = !o->no_bos;
    CorpusReader corpus(std::vector<std::filesystem::path>(o->inputs.begin(), o->inputs.end()));
    const auto s = train_tokenizer(corpus, o->field, o->trainer, o->output, o->strict);
    fmt::print("tokenizer train: {} texts ({}), {} distinct pieces -> vocab {} ({} merges), {}{} in {:.1f}s -> {}\n", s.texts,
               human_bytes(static_cast<double>(s.bytes)), s.result.unique_pieces, s.result.vocab_size, s.result.merges,
               s.result.vocab_size < o->trainer.vocab_size
                   ? fmt::format("stopped early: no pair occurs {} times", o->trainer.min_frequency)
                   : "full",
               s.malformed_lines ? fmt::format(", {} malformed lines skipped", s.malformed_lines) : "", s.seconds, o->output);
  });
}

}  // namespace dsmath::app
