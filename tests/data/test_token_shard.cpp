#include <catch2/catch.hpp>

#include <fstream>

#include "core/error.hpp"
#include "data/token_shard.hpp"
#include "test_util.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
std::filesystem::path make_shard(const std::filesystem::path& dir, bool with_mask) {
  auto path = dir / (with_mask ? "masked.bin" : "plain.bin");
  ShardWriter w(path, with_mask);
  const std::vector<uint32_t> a{5, 6, 7}, b{8, 9};
  const std::vector<uint8_t> ma{0, 1, 1}, mb{1, 0};
  w.add_document(a, with_mask ? std::span<const uint8_t>(ma) : std::span<const uint8_t>());
  w.add_document(b, with_mask ? std::span<const uint8_t>(mb) : std::span<const uint8_t>());
  w.finish();
  return path;
}

void corrupt(const std::filesystem::path& p, size_t offset, uint8_t value) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(value));
}
}  // namespace

TEST_CASE("shards round-trip tokens, document starts and masks", "[data]") {
  auto dir = test::temp_dir("shard_roundtrip");
  for (bool masked : {false, true}) {
    ShardReader r(make_shard(dir, masked));
    CHECK(std::vector<uint32_t>(r.tokens().begin(), r.tokens().end()) == std::vector<uint32_t>{5, 6, 7, 8, 9});
    CHECK(std::vector<uint64_t>(r.doc_starts().begin(), r.doc_starts().end()) == std::vector<uint64_t>{0, 3});
    CHECK(r.vocab_bound() == 10);
    if (masked) CHECK(std::vector<uint8_t>(r.mask().begin(), r.mask().end()) == std::vector<uint8_t>{0, 1, 1, 1, 0});
    else CHECK(r.mask().empty());
    // 64-byte header + 5 tokens + 2 doc starts (+ 5 mask bytes)
    CHECK(std::filesystem::file_size(r.path()) == 64 + 20 + 16 + (masked ? 5 : 0));
  }
}

TEST_CASE("corrupt shards are rejected with the file name and the problem", "[data]") {
  auto dir = test::temp_dir("shard_corrupt");
  auto good = make_shard(dir, false);
  auto copy = [&](const std::string& name) {
    auto p = dir / name;
    std::filesystem::copy_file(good, p, std::filesystem::copy_options::overwrite_existing);
    return p;
  };
  // truncated: a byte short
  auto truncated = copy("truncated.bin");
  std::filesystem::resize_file(truncated, std::filesystem::file_size(good) - 1);
  CHECK_THROWS_WITH(ShardReader(truncated), Contains("truncated.bin") && Contains("truncated or corrupt"));
  // shorter than the header
  auto tiny = copy("tiny.bin");
  std::filesystem::resize_file(tiny, 10);
  CHECK_THROWS_WITH(ShardReader(tiny), Contains("shorter than the 64-byte header"));
  // wrong magic
  auto magic = copy("magic.bin");
  corrupt(magic, 0, 'X');
  CHECK_THROWS_WITH(ShardReader(magic), Contains("magic.bin") && Contains("wrong magic"));
  // a flipped token byte: payload checksum
  auto payload = copy("payload.bin");
  corrupt(payload, 64 + 4, 0x7f);
  CHECK_THROWS_WITH(ShardReader(payload), Contains("payload checksum mismatch"));
  CHECK_NOTHROW(ShardReader(payload, /*verify_checksum=*/false));
  // a changed token count: header checksum
  auto header = copy("header.bin");
  corrupt(header, 16, 4);
  CHECK_THROWS_WITH(ShardReader(header), Contains("header checksum mismatch"));
  CHECK_THROWS_WITH(ShardReader(dir / "absent.bin"), Contains("absent.bin"));
}

TEST_CASE("shard paths expand globs and directories, and name what matches nothing", "[data]") {
  auto dir = test::temp_dir("shard_glob");
  for (const char* n : {"b.bin", "a.bin", "c.txt"}) std::ofstream(dir / n) << "x";
  auto files = expand_shard_paths({"*.bin"}, dir);
  REQUIRE(files.size() == 2);
  CHECK(files[0].filename() == "a.bin");
  CHECK(expand_shard_paths({dir.string()}, "/").size() == 2);
  CHECK_THROWS_WITH(expand_shard_paths({"*.zip"}, dir), Contains("no shard files match"));
  CHECK_THROWS_WITH(expand_shard_paths({"none.bin"}, dir), Contains("none.bin") && Contains("does not exist"));
}
