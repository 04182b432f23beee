// The data-stage config: struct defaults are the paper's numbers, both shipped YAML files
// load strictly, and bad values are rejected with the key named.
#include <catch2/catch.hpp>

#include "config/load.hpp"
#include "core/error.hpp"
#include "select/data_config.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::select;

TEST_CASE("data config defaults are the paper's settings") {
  const DataConfig c;
  CHECK(c.classifier.dim == 256);
  CHECK(c.classifier.lr == 0.1);
  CHECK(c.classifier.word_ngrams == 3);
  CHECK(c.classifier.min_count == 3);
  CHECK(c.classifier.epochs == 3);
  CHECK(c.classifier.max_positives == 500000);
  CHECK(c.classifier.max_negatives == 500000);
  CHECK(c.domains.min_fraction == 0.10);
  CHECK(c.decontamination.ngram == 10);
  CHECK(c.decontamination.short_min_words == 3);
  CHECK(c.dedup.shingle_words == 5);
}

TEST_CASE("configs/data YAML files load") {
  config::ConfigSources paper;
  paper.file = test::source_dir() / "configs/data/deepseekmath.yaml";
  const auto c = config::load_config<DataConfig>(paper);
  CHECK(c.select.budget_tokens == std::optional<int64_t>(40000000000));
  CHECK(c.decontamination.benchmarks.size() == 5);
  CHECK(c.classifier.dim == 256);

  config::ConfigSources tiny;
  tiny.file = test::source_dir() / "configs/data/tiny.yaml";
  tiny.overrides = {"dedup.bands=20", "select.threshold=0.7"};
  const auto t = config::load_config<DataConfig>(tiny);
  CHECK(t.classifier.dim == 16);
  CHECK(t.select.budget_pages == std::optional<int64_t>(1000));
  CHECK(t.dedup.bands == 20);
  CHECK(t.select.threshold == std::optional<double>(0.7));
}

TEST_CASE("bad data config values name the key") {
  config::ConfigSources s;
  s.overrides = {"decontamination.unit=paragraph"};
  CHECK_THROWS_WITH(config::load_config<DataConfig>(s), Catch::Contains("decontamination.unit"));
  s.overrides = {"decontamination.short_min_words=10"};
  CHECK_THROWS_WITH(config::load_config<DataConfig>(s), Catch::Contains("short_min_words"));
  s.overrides = {"dedup.brands=3"};
  try {
    config::load_config<DataConfig>(s);
    FAIL("an unknown key was accepted");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("unknown key 'dedup.brands'"));
    CHECK_THAT(e.hint(), Catch::Contains("dedup.bands"));  // did you mean
  }
}
