// The fastText math classifier on generated pages: math-like pages (formulas, math words)
// against other pages, both sharing a common vocabulary and a little of each other's.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/files.hpp"
#include "core/json.hpp"
#include "core/rng.hpp"
#include "select/classifier_training.hpp"
#include "select/math_classifier.hpp"
#include "select/text_tokens.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::select;

namespace {

const std::vector<std::string> kMathWords = {
    "theorem", "proof", "lemma", "integral", "derivative", "equation", "solve", "prime", "polynomial", "matrix",
    "eigenvalue", "limit", "fraction", "triangle", "angle", "probability", "$x^2$", "\\frac{1}{2}", "=", "sqrt",
    "corollary", "vector", "modulo", "divisible", "integer", "real", "function", "graph", "slope", "radius"};
const std::vector<std::string> kOtherWords = {
    "recipe", "travel", "hotel", "music", "football", "weather", "shopping", "fashion", "movie", "garden",
    "car", "price", "review", "holiday", "kitchen", "coffee", "city", "news", "game", "actor",
    "beach", "dress", "album", "ticket", "flight", "pizza", "team", "season", "store", "sale"};

std::string generated_page(Rng& rng, bool math) {
  const auto& own = math ? kMathWords : kOtherWords;
  const auto& other = math ? kOtherWords : kMathWords;
  std::string text;
  const uint64_t n = 60 + rng.below(90);
  for (uint64_t i = 0; i < n; ++i) {
    const double r = rng.uniform();
    std::string word = r < 0.2   ? own[rng.below(own.size())]
                       : r < 0.28 ? other[rng.below(other.size())]
                                  : "common" + std::to_string(rng.below(300));
    text += (i == 0 ? "" : (rng.below(12) == 0 ? "\n" : " ")) + word;
  }
  return text;
}

void write_pages(const std::filesystem::path& path, Rng& rng, bool math, int count) {
  std::ofstream out(path);
  for (int i = 0; i < count; ++i) out << Json{{"text", generated_page(rng, math)}}.dump() << "\n";
}

DataConfig small_config(int seed) {
  DataConfig config;
  config.threads = 1;  // fastText is reproducible with one training thread
  config.classifier.dim = 16;
  config.classifier.bucket = 20000;
  config.classifier.min_count = 1;
  config.classifier.word_ngrams = 2;
  config.classifier.epochs = 20;
  config.classifier.lr = 0.5;
  config.classifier.holdout_fraction = 0.2;
  config.classifier.seed = seed;
  return config;
}

}  // namespace

TEST_CASE("the classifier learns math pages from generated data") {
  const auto dir = test::temp_dir("select-classifier");
  Rng rng(42);
  write_pages(dir / "pos.jsonl", rng, true, 400);
  write_pages(dir / "neg.jsonl", rng, false, 400);
  const auto report = train_math_classifier({dir / "pos.jsonl"}, {dir / "neg.jsonl"}, dir / "model.bin", small_config(1));
  CHECK(report.positives_used == 400);
  CHECK(report.negatives_used == 400);
  CHECK(report.heldout_examples == 160);
  CHECK(report.train_examples == 640);
  INFO("held-out precision " << report.heldout.precision() << " recall " << report.heldout.recall());
  CHECK(report.heldout.accuracy() >= 0.9);
  CHECK(report.heldout.precision() >= 0.85);
  CHECK(report.heldout.recall() >= 0.85);

  // fresh pages from the same generator, scored through the public API
  const MathClassifier classifier(dir / "model.bin");
  CHECK(classifier.dim() == 16);
  int correct = 0;
  for (int i = 0; i < 200; ++i) {
    const bool math = i % 2 == 0;
    const double p = classifier.score(generated_page(rng, math));
    REQUIRE(p >= 0.0);
    REQUIRE(p <= 1.0);
    correct += (p >= 0.5) == math;
  }
  CHECK(correct >= 180);
  // normalization happens inside score(): raw and pre-normalized text agree
  const std::string page = generated_page(rng, true);
  CHECK(classifier.score(page) == classifier.score_normalized(normalize_for_classifier(page)));
}

TEST_CASE("the same seed gives the same model; another seed another model") {
  const auto dir = test::temp_dir("select-classifier-seed");
  Rng rng(5);
  write_pages(dir / "pos.jsonl", rng, true, 150);
  write_pages(dir / "neg.jsonl", rng, false, 150);
  train_math_classifier({dir / "pos.jsonl"}, {dir / "neg.jsonl"}, dir / "a.bin", small_config(3));
  train_math_classifier({dir / "pos.jsonl"}, {dir / "neg.jsonl"}, dir / "b.bin", small_config(3));
  train_math_classifier({dir / "pos.jsonl"}, {dir / "neg.jsonl"}, dir / "c.bin", small_config(4));
  const std::string a = read_file(dir / "a.bin"), b = read_file(dir / "b.bin"), c = read_file(dir / "c.bin");
  CHECK(a.size() > 1000);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("sampling keeps at most max_positives / max_negatives pages") {
  const auto dir = test::temp_dir("select-classifier-sample");
  Rng rng(9);
  write_pages(dir / "pos.jsonl", rng, true, 120);
  write_pages(dir / "neg.jsonl", rng, false, 300);
  DataConfig config = small_config(0);
  config.classifier.max_positives = 50;
  config.classifier.max_negatives = 70;
  config.classifier.holdout_fraction = 0.0;
  const auto report = train_math_classifier({dir / "pos.jsonl"}, {dir / "neg.jsonl"}, dir / "m.bin", config);
  CHECK(report.positives_read == 120);
  CHECK(report.negatives_read == 300);
  CHECK(report.positives_used == 50);
  CHECK(report.negatives_used == 70);
  CHECK(report.train_examples == 120);
  CHECK(report.heldout_examples == 0);
}

TEST_CASE("a missing or foreign model file is a clear error") {
  const auto dir = test::temp_dir("select-classifier-bad");
  CHECK_THROWS_WITH(MathClassifier(dir / "none.bin"), Catch::Contains("does not exist"));
  write_file_atomic(dir / "junk.bin", "not a model");
  CHECK_THROWS_WITH(MathClassifier(dir / "junk.bin"), Catch::Contains("cannot load classifier model"));
}
