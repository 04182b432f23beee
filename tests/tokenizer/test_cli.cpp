// The dsmath binary: tokenizer train/encode/decode/info and tokenize (JSONL -> shards), with
// malformed lines, empty texts, a document longer than a shard, gzip input, --strict,
// --overwrite, and output that is identical for any thread count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/json.hpp"
#include "data/token_shard.hpp"
#include "test_util.hpp"
#include "tokenizer/tokenizer.hpp"

using namespace dsmath;

namespace {

// corpus.jsonl: 300 documents, a malformed line (3), a record without "text" (5), an empty text
// (7), a blank line (9), and one document far longer than a shard (12).
std::vector<std::string> write_corpus(const std::filesystem::path& path) {
  std::vector<std::string> docs;
  std::ofstream out(path, std::ios::binary);
  for (int i = 1; i <= 305; ++i) {
    if (i == 3) {
      out << "{\"text\": \"unterminated\n";
    } else if (i == 5) {
      out << Json{{"body", "no text field"}}.dump() << "\n";
    } else if (i == 7) {
      out << Json{{"text", ""}}.dump() << "\n";
    } else if (i == 9) {
      out << "\n";
    } else {
      static const char* const words[] = {"Natalia", "sold", "clips", "April", "half", "many", "May", "how", "the",
                                          "sum", "of", "squares", "prime", "number", "triangle", "area", "radius",
                                          "Caf\xC3\xA9", "\xE6\x95\xB0\xE5\xAD\xA6", "\xF0\x9F\xA6\x99", "equals", "?", "."};
      std::string text = "Problem " + std::to_string(i) + ":";
      for (int k = 0; k < 30; ++k) text += std::string(" ") + words[(i * 31 + k * k * 7) % std::size(words)];
      if (i == 12)
        for (int k = 0; k < 400; ++k) text += " the sum of " + std::to_string(k) + " and " + std::to_string(k * k);
      out << Json{{"text", text}}.dump() << "\n";
      docs.push_back(text);
    }
  }
  return docs;
}

std::vector<std::filesystem::path> shards_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".bin") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("cli: tokenizer train then tokenize to shards that equal direct encoding", "[tokenizer][cli]") {
  const auto dir = test::temp_dir("tokenize-cli");
  const auto corpus = dir / "corpus.jsonl";
  const auto docs = write_corpus(corpus);

  auto r = test::run_dsmath(fmt::format("tokenizer train -i {} --vocab-size 320 -o {}", corpus.string(),
                                        (dir / "tok" / "tokenizer.json").string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("vocab 320") && Catch::Contains("2 malformed lines skipped"));
  REQUIRE(std::filesystem::exists(dir / "tok" / "tokenizer_config.json"));
  const Tokenizer tok = Tokenizer::load(dir / "tok");
  REQUIRE(tok.bos_id());
  REQUIRE(tok.eos_id());

  const std::string base = fmt::format("tokenize -t {} -i {} --shard-tokens 2000", (dir / "tok").string(), corpus.string());
  r = test::run_dsmath(base + " -o " + (dir / "out").string() + " --threads 2");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // malformed lines are named with file:line and counted
  CHECK_THAT(r.output, Catch::Contains("corpus.jsonl:3") && Catch::Contains("corpus.jsonl:5"));
  CHECK_THAT(r.output, Catch::Contains("2 malformed lines skipped") && Catch::Contains("1 empty texts skipped"));

  // the shards hold [BOS] encode(text) EOS per document, in input order
  std::vector<uint32_t> expected;
  for (const auto& d : docs) {
    expected.push_back(*tok.bos_id());
    for (uint32_t id : tok.encode(d, false)) expected.push_back(id);
    expected.push_back(*tok.eos_id());
  }
  std::vector<uint32_t> got;
  size_t doc_entries = 0;
  const auto shards = shards_in(dir / "out");
  REQUIRE(shards.size() > 2);
  for (const auto& path : shards) {
    const ShardReader shard(path);
    CHECK(shard.tokens().size() <= 2000);
    CHECK(shard.vocab_bound() <= tok.vocab_size());
    doc_entries += shard.doc_starts().size();
    // every document starts with BOS, except a continuation of the cut long document
    for (uint64_t start : shard.doc_starts())
      if (shard.tokens()[start] != *tok.bos_id()) CHECK(start == 0);
    got.insert(got.end(), shard.tokens().begin(), shard.tokens().end());
  }
  CHECK(got == expected);
  CHECK(doc_entries >= docs.size());

  const auto summary = Json::parse(read_file(dir / "out" / "tokenize.json"));
  CHECK(summary["documents"] == docs.size());
  CHECK(summary["malformed_lines"] == 2);
  CHECK(summary["empty_documents"] == 1);
  CHECK(summary["tokens"] == expected.size());
  CHECK(summary["tokenizer_fingerprint"] == hex64(tok.fingerprint()));
  CHECK(summary["shards"].size() == shards.size());

  // one thread, and gzip input: byte-identical shards
  REQUIRE(test::run_command("gzip -k -c " + corpus.string() + " > " + corpus.string() + ".gz").exit_code == 0);
  r = test::run_dsmath(fmt::format("tokenize -t {} -i {}.gz --shard-tokens 2000 -o {} --threads 1", (dir / "tok").string(),
                                   corpus.string(), (dir / "out1").string()));
  REQUIRE(r.exit_code == 0);
  const auto shards1 = shards_in(dir / "out1");
  REQUIRE(shards1.size() == shards.size());
  for (size_t i = 0; i < shards.size(); ++i) CHECK(read_file(shards[i]) == read_file(shards1[i]));

  // an earlier run's output is not mixed with a new one
  r = test::run_dsmath(base + " -o " + (dir / "out").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("--overwrite"));
  r = test::run_dsmath(fmt::format("tokenize -t {} -i {} -o {} --overwrite --no-bos", (dir / "tok").string(),
                                   corpus.string(), (dir / "out").string()));
  CHECK(r.exit_code == 0);
  CHECK(shards_in(dir / "out").size() == 1);
  CHECK(ShardReader(shards_in(dir / "out")[0]).tokens().size() == expected.size() - docs.size());

  // --strict: the first malformed line is an error naming it
  r = test::run_dsmath(base + " -o " + (dir / "strict").string() + " --strict");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("corpus.jsonl:3") && Catch::Contains("malformed JSON"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli: tokenizer encode and decode and info", "[tokenizer][cli]") {
  const auto tok_path = test::source_dir() / "tests" / "tokenizer" / "fixtures" / "options-a.json";
  const Tokenizer tok = Tokenizer::load(tok_path);
  const std::string text = "Let x == 12345 and $$y$$ <tool> caf\xC3\xA9 \xF0\x9F\xA6\x99";
  auto r = test::run_dsmath(fmt::format("tokenizer encode -t {} --text '{}'", tok_path.string(), text));
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> ids;
  for (uint32_t id : tok.encode(text, false)) ids.push_back(std::to_string(id));
  CHECK(r.output == fmt::format("{}\n", fmt::join(ids, " ")));
  r = test::run_dsmath(fmt::format("tokenizer decode -t {} --ids '{}'", tok_path.string(), fmt::join(ids, ",")));
  CHECK(r.exit_code == 0);
  CHECK(r.output == tok.decode(tok.encode(text, false), false));  // ByteLevel add_prefix_space adds spaces
  r = test::run_dsmath(fmt::format("tokenizer encode -t {} --special --show-tokens --text 'a b'", tok_path.string()));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::StartsWith("0\t<s>\t<s>\t(special)\n"));
  r = test::run_dsmath(fmt::format("tokenizer info -t {}", tok_path.string()));
  CHECK_THAT(r.output, Catch::Contains("vocab size (len(tokenizer)): 604") && Catch::Contains(hex64(tok.fingerprint())));
  r = test::run_dsmath(fmt::format("tokenizer decode -t {} --ids '1 x'", tok_path.string()));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("'x' is not a token id"));
}
