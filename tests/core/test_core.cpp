#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/bf16.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/rng.hpp"
#include "core/strings.hpp"
#include "test_util.hpp"

using namespace dsmath;

TEST_CASE("bf16 rounds to nearest even and keeps NaN", "[core]") {
  // 1.0 is exact; 1 + 2^-8 lies exactly halfway between bf16 1.0 and 1 + 2^-7: ties go to even (1.0).
  CHECK(float_to_bf16_bits(1.0f) == 0x3f80);
  CHECK(float_to_bf16_bits(1.0f + 0x1p-8f) == 0x3f80);
  // 1 + 3*2^-8 is halfway between 1+2^-7 (odd mantissa 1) and 1+2^-6 (even): rounds up to 0x3f82.
  CHECK(float_to_bf16_bits(1.0f + 3 * 0x1p-8f) == 0x3f82);
  // just above the halfway point rounds up
  CHECK(float_to_bf16_bits(1.0f + 0x1p-8f + 0x1p-20f) == 0x3f81);
  CHECK(bf16_bits_to_float(0xc040) == -3.0f);
  CHECK(std::isnan(bf16_bits_to_float(float_to_bf16_bits(NAN))));
  CHECK(bf16_bits_to_float(float_to_bf16_bits(INFINITY)) == INFINITY);
}

TEST_CASE("fp16 conversion matches IEEE half encodings", "[core]") {
  CHECK(float_to_fp16_bits(1.0f) == 0x3c00);
  CHECK(float_to_fp16_bits(-2.0f) == 0xc000);
  CHECK(float_to_fp16_bits(65504.0f) == 0x7bff);   // largest half
  CHECK(float_to_fp16_bits(1e6f) == 0x7c00);       // overflow -> inf
  CHECK(float_to_fp16_bits(0x1p-24f) == 0x0001);   // smallest subnormal
  CHECK(fp16_bits_to_float(0x3555) == Approx(0.333251953125f));
  CHECK(fp16_bits_to_float(0x0001) == 0x1p-24f);
  CHECK(fp16_bits_to_float(0x7c00) == INFINITY);
  for (uint16_t h : {0x0000, 0x3c00, 0x1234, 0x7bff, 0x8001, 0xabcd, 0x03ff})
    CHECK(float_to_fp16_bits(fp16_bits_to_float(h)) == h);
}

TEST_CASE("xxh3 matches the published empty-input value", "[core]") {
  CHECK(hash64("", 0) == 0x2D06800538D394C2ULL);
  Hasher64 h;
  h.update("hello ", 6);
  h.update("world", 5);
  CHECK(h.digest() == hash64("hello world"));
}

TEST_CASE("rng is deterministic and its state restores the stream", "[core]") {
  Rng a(42), b(42), c(43);
  CHECK(a.next_u64() == b.next_u64());
  CHECK(a.next_u64() != c.next_u64());
  Rng r(7);
  for (int i = 0; i < 10; ++i) r.next_u64();
  auto saved = r.state();
  std::vector<uint64_t> first;
  for (int i = 0; i < 5; ++i) first.push_back(r.next_u64());
  Rng s(0);
  s.set_state(saved);
  for (int i = 0; i < 5; ++i) CHECK(s.next_u64() == first[i]);
  // below(n) stays in range and covers it
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 5000; ++i) counts[r.below(5)]++;
  for (int c5 : counts) CHECK(c5 > 800);
  // normal() has mean ~0, variance ~1
  double sum = 0, sq = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    double x = r.normal();
    sum += x;
    sq += x * x;
  }
  CHECK(std::fabs(sum / n) < 0.03);
  CHECK(std::fabs(sq / n - 1.0) < 0.05);
}

TEST_CASE("atomic file writes replace whole files and clean up on failure", "[core]") {
  auto dir = test::temp_dir("core_files");
  auto path = dir / "a.txt";
  write_file_atomic(path, "first");
  CHECK(read_file(path) == "first");
  write_file_atomic(path, "second, longer");
  CHECK(read_file(path) == "second, longer");
  {
    AtomicFile f(path);
    f.write("never committed");
  }  // destroyed without commit: the old content stays, no temp file is left
  CHECK(read_file(path) == "second, longer");
  int entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);
  MappedFile m(path);
  CHECK(std::string(reinterpret_cast<const char*>(m.data()), m.size()) == "second, longer");
  CHECK_THROWS_WITH(read_file(dir / "missing"), Catch::Contains("missing") && Catch::Contains("cannot open"));
}

TEST_CASE("did-you-mean finds typos, not other words", "[core]") {
  CHECK(edit_distance("kitten", "sitting") == 3);
  std::vector<std::string> keys{"lr_peak", "weight_decay", "beta1", "beta2"};
  CHECK(closest_match("lr_peek", keys) == "lr_peak");
  CHECK(closest_match("weightdecay", keys) == "weight_decay");
  CHECK(closest_match("tokenizer", keys).empty());
  CHECK(human_duration(93) == "1m33s");
  CHECK(human_count(1234567) == "1.23M");
  CHECK(split("a.b.c", '.') == std::vector<std::string>{"a", "b", "c"});
}
