// WET parsing on hand-made files: gzip members written with zlib here, one per record as
// Common Crawl writes them; malformed records are skipped and counted.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <fstream>

#include "select/page_pipeline.hpp"
#include "select/page_source.hpp"
#include "select/wet_reader.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::select;

namespace {

std::string record(const std::string& type, const std::string& uri, const std::string& content) {
  std::string r = "WARC/1.0\r\nWARC-Type: " + type + "\r\n";
  if (!uri.empty()) r += "WARC-Target-URI: " + uri + "\r\nWARC-Date: 2024-02-20T10:00:00Z\r\n";
  r += "WARC-Record-ID: <urn:uuid:" + std::to_string(content.size()) + ">\r\n";
  r += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(content.size()) + "\r\n\r\n";
  return r + content + "\r\n\r\n";
}

// Each piece becomes its own gzip member, appended to the file.
void write_gzip_members(const std::filesystem::path& path, const std::vector<std::string>& pieces) {
  std::filesystem::remove(path);
  for (const auto& piece : pieces) {
    gzFile f = gzopen(path.c_str(), "ab");
    REQUIRE(f != nullptr);
    REQUIRE(gzwrite(f, piece.data(), static_cast<unsigned>(piece.size())) == static_cast<int>(piece.size()));
    REQUIRE(gzclose(f) == Z_OK);
  }
}

const std::string kPage1 = "Theorem 1. Every prime p > 2 is odd.\nWARC/1.0 inside the text is content, not a header\n";
const std::string kPage2 = "Second page, UTF-8: \u03c0 \u2248 3.14159";
const std::string kPage3 = "third";

std::vector<std::string> wet_pieces() {
  return {
      record("warcinfo", "", "software: dsmath-test\r\nformat: WARC File Format 1.0\r\n"),
      record("conversion", "http://example.com/a", kPage1),
      // malformed: a header line without ':'
      "WARC/1.0\r\nWARC-Type: conversion\r\nthis is not a header\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n",
      record("conversion", "<http://example.com/b>", kPage2),
      // malformed: Content-Length is not a number
      "WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: twelve\r\n\r\nhello world!\r\n\r\n",
      // malformed: no Content-Length
      "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://x.org/\r\n\r\n",
      record("conversion", "http://example.com/c", kPage3),
      record("metadata", "http://example.com/c", "not a page"),
      // malformed: cut short by the end of the file
      "WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 1000\r\n\r\nonly a few bytes",
  };
}

}  // namespace

TEST_CASE("WetReader reads conversion records and skips malformed ones") {
  const auto dir = test::temp_dir("select-wet");
  const auto path = dir / "sample.warc.wet.gz";
  write_gzip_members(path, wet_pieces());
  WetReader reader(path);
  WetRecord r;
  REQUIRE(reader.next(r));
  CHECK(r.url == "http://example.com/a");
  CHECK(r.text == kPage1);
  CHECK(r.date == "2024-02-20T10:00:00Z");
  CHECK(r.line == 11);  // the warcinfo record takes lines 1-10
  REQUIRE(reader.next(r));
  CHECK(r.url == "http://example.com/b");  // WARC 1.0 <...> brackets removed
  CHECK(r.text == kPage2);
  REQUIRE(reader.next(r));
  CHECK(r.url == "http://example.com/c");
  CHECK(r.text == kPage3);
  CHECK_FALSE(reader.next(r));
  CHECK(reader.conversions() == 3);
  CHECK(reader.records() == 5);  // warcinfo, 3 conversions, metadata
  CHECK(reader.malformed() == 4);
}

TEST_CASE("WET files are read plain too and through PageSource beside JSONL") {
  const auto dir = test::temp_dir("select-wet-source");
  {
    std::ofstream plain(dir / "plain.wet", std::ios::binary);
    for (const auto& piece : wet_pieces()) plain << piece;
    std::ofstream jsonl(dir / "pages.jsonl");
    jsonl << "{\"url\": \"http://j.com/\", \"text\": \"from jsonl\"}\n";
  }
  PageSource source({dir / "plain.wet", dir / "pages.jsonl"});
  std::vector<std::string> texts, urls;
  const auto stats = run_page_pipeline(source, PageFields{}, 2, "test", [](Page&, int) {}, [&](std::vector<Page>& batch) {
    for (const Page& page : batch) {
      texts.push_back(page.text);
      urls.push_back(page.url);
    }
  });
  CHECK(texts == std::vector<std::string>{kPage1, kPage2, kPage3, "from jsonl"});
  CHECK(urls.back() == "http://j.com/");
  CHECK(stats.malformed == 4);
  CHECK(stats.good_pages() == 4);
}

TEST_CASE("is_wet_path goes by extension") {
  CHECK(is_wet_path("CC-MAIN-2024-10-00000.warc.wet.gz"));
  CHECK(is_wet_path("x.wet"));
  CHECK(is_wet_path("x.warc.gz"));
  CHECK_FALSE(is_wet_path("pages.jsonl.gz"));
  CHECK_FALSE(is_wet_path("wet.jsonl"));
}
