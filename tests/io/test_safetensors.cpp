#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

#include "core/bf16.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "io/safetensors.hpp"
#include "test_util.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
// A file from a header text and a data buffer of `data_bytes` zero bytes.
std::filesystem::path raw_file(const std::filesystem::path& p, const std::string& header, size_t data_bytes) {
  std::ofstream f(p, std::ios::binary);
  const uint64_t n = header.size();
  f.write(reinterpret_cast<const char*>(&n), 8);
  f << header;
  f << std::string(data_bytes, '\0');
  return p;
}
}  // namespace

TEST_CASE("safetensors round-trips f32, bf16 and f16 with metadata", "[io]") {
  auto dir = test::temp_dir("st_roundtrip");
  const std::vector<float> a{1.0f, -2.5f, 3.25f, 0.0f, 65504.0f, -1e-3f};
  SafetensorsWriter w;
  w.set_metadata("format", "pt");
  w.add("a.f32", {2, 3}, a);
  w.add("a.bf16", {6}, a, DType::bf16);
  w.add("a.f16", {3, 2}, a, DType::f16);
  w.write(dir / "m.safetensors");
  SafetensorsReader r(dir / "m.safetensors");
  CHECK(r.metadata().at("format") == "pt");
  CHECK(r.get("a.f32").shape == std::vector<int64_t>{2, 3});
  CHECK(r.read_f32("a.f32") == a);
  auto bf = r.read_f32("a.bf16");
  auto h = r.read_f32("a.f16");
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(bf[i] == bf16_bits_to_float(float_to_bf16_bits(a[i])));
    CHECK(h[i] == fp16_bits_to_float(float_to_fp16_bits(a[i])));
  }
  // the data buffer starts 8-byte aligned, as the reference writer pads the header
  uint64_t n = 0;
  std::ifstream(dir / "m.safetensors", std::ios::binary).read(reinterpret_cast<char*>(&n), 8);
  CHECK(n % 8 == 0);
}

TEST_CASE("malformed safetensors files are clear errors", "[io]") {
  auto dir = test::temp_dir("st_bad");
  auto err = [&](const std::string& header, size_t data_bytes) -> std::string {
    auto p = raw_file(dir / "x.safetensors", header, data_bytes);
    try {
      SafetensorsReader r(p);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string ok = R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  CHECK(err(ok, 8) == "no error");
  CHECK_THAT(err("not json", 0), Contains("header is not valid JSON"));
  CHECK_THAT(err("[1,2]", 0), Contains("not a JSON object"));
  CHECK_THAT(err(R"({"t":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", 8), Contains("unknown dtype 'Q7'"));
  CHECK_THAT(err(R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), Contains("8 bytes for 3 elements"));
  CHECK_THAT(err(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4), Contains("outside the 4-byte buffer"));
  CHECK_THAT(err(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8), Contains("outside"));
  CHECK_THAT(err(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12),
             Contains("overlaps"));
  CHECK_THAT(err(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), Contains("hole"));
  CHECK_THAT(err(ok, 12), Contains("4 trailing bytes"));
  CHECK_THAT(err(R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8), Contains("negative"));
  CHECK_THAT(err(R"({"t":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}})", 8), Contains("larger than the file"));
  CHECK_THAT(err(R"({"t":{"dtype":"F32","shape":[2]}})", 8), Contains("lacks dtype, shape or data_offsets"));
  CHECK_THAT(err(R"({"__metadata__":{"k":1}})", 0), Contains("is not a string"));
  // header length beyond the file
  {
    auto p = dir / "len.safetensors";
    std::ofstream f(p, std::ios::binary);
    const uint64_t n = 1000;
    f.write(reinterpret_cast<const char*>(&n), 8);
    f << "{}";
  }
  CHECK_THROWS_WITH(SafetensorsReader(dir / "len.safetensors"), Contains("runs past the end"));
}

TEST_CASE("random corruption of a valid file never crashes the reader", "[io]") {
  // A small fuzz loop: flip bytes in the header and length; every outcome is either a valid
  // parse or an Error, never a crash or an out-of-bounds read (run under ASan in CI builds
  // with -DCMAKE_CXX_FLAGS=-fsanitize=address for full coverage).
  auto dir = test::temp_dir("st_fuzz");
  SafetensorsWriter w;
  w.add("x", {4}, std::vector<float>{1, 2, 3, 4});
  w.add("y", {2, 2}, std::vector<float>{5, 6, 7, 8}, DType::bf16);
  w.write(dir / "base.safetensors");
  const std::string base = read_file(dir / "base.safetensors");
  Rng rng(99);
  int parsed = 0, rejected = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::string bytes = base;
    const int flips = 1 + static_cast<int>(rng.below(3));
    for (int f = 0; f < flips; ++f) {
      const size_t pos = rng.below(std::min<uint64_t>(bytes.size(), 120));  // length + header
      bytes[pos] = static_cast<char>(rng.below(256));
    }
    if (rng.below(4) == 0) bytes.resize(rng.below(bytes.size()));
    write_file_atomic(dir / "f.safetensors", bytes);
    try {
      SafetensorsReader r(dir / "f.safetensors");
      for (const auto& e : r.entries())
        if (e.dtype == "F32" || e.dtype == "BF16" || e.dtype == "F16") (void)r.read_f32(e.name);
      ++parsed;
    } catch (const Error&) {
      ++rejected;
    }
  }
  CHECK(parsed + rejected == 400);
  CHECK(rejected > 300);  // most corruptions are detected
}
