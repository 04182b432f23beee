#include <catch2/catch.hpp>

#include <numeric>

#include "core/error.hpp"
#include "data/mixture.hpp"
#include "test_util.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
// A shard whose token at offset i is base + i, split into documents of doc_len tokens.
std::filesystem::path counting_shard(const std::filesystem::path& path, uint32_t base, int n, int doc_len,
                                     bool masked = false) {
  ShardWriter w(path, masked);
  for (int start = 0; start < n; start += doc_len) {
    std::vector<uint32_t> doc;
    std::vector<uint8_t> mask;
    for (int i = start; i < std::min(n, start + doc_len); ++i) {
      doc.push_back(base + static_cast<uint32_t>(i));
      mask.push_back(i % 2 == 0);  // even offsets are targets
    }
    w.add_document(doc, masked ? std::span<const uint8_t>(mask) : std::span<const uint8_t>());
  }
  w.finish();
  return path;
}

TokenDataConfig one_source(const std::filesystem::path& shard, int seq_len) {
  TokenDataConfig c;
  c.seq_len = seq_len;
  c.sources.push_back({"a", {shard.string()}, 1.0});
  return c;
}
}  // namespace

TEST_CASE("windows advance by seq_len and targets are the next tokens", "[data]") {
  auto dir = test::temp_dir("mixture_windows");
  auto shard = counting_shard(dir / "a.bin", 0, 100, 1000);
  MixtureLoader loader(one_source(shard, 8), 1, 1000);
  TokenBatch b;
  loader.fill(b, 0, 2);
  for (int i = 0; i < 8; ++i) {
    CHECK(b.tokens[i] == i);
    CHECK(b.targets[i] == i + 1);
    CHECK(b.tokens[8 + i] == 8 + i);  // second row starts where the first row's inputs end
    CHECK(b.targets[8 + i] == 9 + i);
  }
  CHECK(b.positions.empty());
}

TEST_CASE("the stream wraps around at the end of the data (a new epoch)", "[data]") {
  auto dir = test::temp_dir("mixture_wrap");
  auto shard = counting_shard(dir / "a.bin", 0, 20, 1000);
  MixtureLoader loader(one_source(shard, 8), 1, 1000);
  TokenBatch b;
  loader.fill(b, 0, 3);  // rows start at 0, 8, 16; the third crosses the end
  CHECK(b.tokens[16] == 16);
  CHECK(b.tokens[19] == 19);
  CHECK(b.tokens[20] == 0);  // wrapped
  CHECK(b.targets[19] == 0);
  CHECK(loader.state()["sources"][0]["epoch"] == 1);
}

TEST_CASE("mixture weights set the share of each source", "[data]") {
  auto dir = test::temp_dir("mixture_weights");
  TokenDataConfig c;
  c.seq_len = 4;
  c.sources.push_back({"low", {counting_shard(dir / "a.bin", 0, 500, 1000).string()}, 3.0});
  c.sources.push_back({"high", {counting_shard(dir / "b.bin", 1000, 500, 1000).string()}, 1.0});
  MixtureLoader loader(c, 7, 2000);
  TokenBatch b;
  loader.fill(b, 0, 4000);
  int from_low = 0;
  for (int r = 0; r < 4000; ++r) from_low += b.tokens[static_cast<size_t>(r) * 4] < 1000;
  CHECK(from_low / 4000.0 == Approx(0.75).margin(0.03));
}

TEST_CASE("loader state restores the exact stream, and skipping ahead equals reading", "[data]") {
  auto dir = test::temp_dir("mixture_state");
  TokenDataConfig c;
  c.seq_len = 5;
  c.sources.push_back({"a", {counting_shard(dir / "a.bin", 0, 300, 1000).string()}, 1.0});
  c.sources.push_back({"b", {counting_shard(dir / "b.bin", 500, 300, 1000).string()}, 2.0});
  MixtureLoader first(c, 3, 1000), second(c, 3, 1000), skipper(c, 3, 1000);
  TokenBatch b1, b2, all, skipped;
  first.fill(b1, 0, 10);
  Json saved = first.state();
  first.fill(b1, 10, 6);
  second.restore(saved);
  second.fill(b2, 10, 6);
  CHECK(b1.tokens == b2.tokens);
  CHECK(b1.targets == b2.targets);
  MixtureLoader reader(c, 3, 1000);
  reader.fill(all, 0, 16);
  skipper.fill(skipped, 10, 6);
  CHECK(std::vector<int32_t>(all.tokens.begin() + 50, all.tokens.end()) == skipped.tokens);
  // a different seed gives a different order
  MixtureLoader other(c, 4, 1000);
  TokenBatch b3;
  other.fill(b3, 0, 16);
  CHECK(b3.tokens != all.tokens);
}

TEST_CASE("document masking resets positions and stops targets at document ends", "[data]") {
  auto dir = test::temp_dir("mixture_docs");
  auto shard = counting_shard(dir / "a.bin", 0, 100, 3);  // documents [0,1,2] [3,4,5] ...
  TokenDataConfig c = one_source(shard, 6);
  c.document_masking = true;
  MixtureLoader loader(c, 1, 1000);
  TokenBatch b;
  loader.fill(b, 0, 1);
  CHECK(b.positions == std::vector<int32_t>{0, 1, 2, 0, 1, 2});
  CHECK(b.segments == std::vector<int32_t>{0, 0, 0, 1, 1, 1});
  CHECK(b.targets == std::vector<int32_t>{1, 2, -1, 4, 5, -1});  // 2 -> 3 and 5 -> 6 cross documents
}

TEST_CASE("loss-mask streams turn masked targets off", "[data]") {
  auto dir = test::temp_dir("mixture_mask");
  auto shard = counting_shard(dir / "a.bin", 0, 50, 1000, /*masked=*/true);
  MixtureLoader loader(one_source(shard, 6), 1, 1000);
  TokenBatch b;
  loader.fill(b, 0, 1);
  // target of input i is token i+1, kept only when offset i+1 is even
  CHECK(b.targets == std::vector<int32_t>{-1, 2, -1, 4, -1, 6});
}

TEST_CASE("shards with ids beyond the model vocabulary are rejected", "[data]") {
  auto dir = test::temp_dir("mixture_vocab");
  auto shard = counting_shard(dir / "a.bin", 0, 100, 1000);
  CHECK_THROWS_WITH(MixtureLoader(one_source(shard, 8), 1, 64),
                    Contains("token ids up to 99") && Contains("64 entries") && Contains("tokenizer"));
  CHECK_THROWS_WITH(MixtureLoader(one_source(shard, 200), 1, 1000), Contains("fewer than one sequence"));
}
