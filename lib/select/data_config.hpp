#pragma once
// Config of the corpus selection stage, `dsmath data ...` (paper section 2.1; DESIGN.md
// section 2). The defaults are the paper's where it gives a number and ours where it does not
// (marked "ours"); configs/data/deepseekmath.yaml spells them out, configs/data/tiny.yaml is
// a small-scale variant for quick runs and tests. docs/data.md explains each stage.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.hpp"

namespace dsmath::select {

struct ClassifierConfig {
  // fastText supervised training (paper: dim 256, lr 0.1, word n-grams 3, minCount 3, 3 epochs)
  int dim = 256;
  double lr = 0.1;
  int word_ngrams = 3;
  int min_count = 3;
  int epochs = 3;
  int bucket = 2000000;  // fastText's default hash buckets for word n-grams (input rows = words + bucket)
  std::string loss = "softmax";
  int seed = 0;
  // training set (paper: 500K seed positives vs 500K random Common Crawl pages)
  int64_t max_positives = 500000;
  int64_t max_negatives = 500000;
  double holdout_fraction = 0.05;  // ours: held out for precision/recall
  double threshold = 0.5;          // ours: score >= threshold counts as "math" in the report

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("dim", dim, "word vector size", Check().at_least(1).at_most(4096));
    v("lr", lr, "learning rate", Check().greater_than(0));
    v("word_ngrams", word_ngrams, "max length of word n-grams", Check().in_range(1, 10));
    v("min_count", min_count, "minimal number of occurrences of a word", Check().at_least(1));
    v("epochs", epochs, "passes over the training data", Check().at_least(1));
    v("bucket", bucket, "hash buckets for word n-grams; memory is (words + bucket) * dim * 4 bytes",
      Check().at_least(1));
    v("loss", loss, "fastText loss", Check().one_of({"softmax", "ns", "hs", "ova"}));
    v("seed", seed, "seed of the sampling, the split and fastText's initialization", Check().at_least(0));
    v("max_positives", max_positives, "seed pages kept (uniform sample when there are more)", Check().at_least(1));
    v("max_negatives", max_negatives, "random pages kept as negatives (uniform sample)", Check().at_least(1));
    v("holdout_fraction", holdout_fraction, "fraction of the examples held out for precision/recall",
      Check().at_least(0).less_than(1));
    v("threshold", threshold, "score at or above which a held-out page counts as predicted math",
      Check().in_range(0, 1));
  }
};

struct SelectionConfig {
  // paper section 2.1: rank pages by score and keep the top ones (40B tokens in round 1)
  std::optional<int64_t> budget_tokens;  // keep the top pages up to this many (estimated) tokens
  std::optional<int64_t> budget_pages;   // or up to this many pages
  std::optional<double> threshold;       // or every page scoring at least this
  std::string token_field = "n_tokens";  // a page's token count when the record has it
  double bytes_per_token = 4.0;          // ours: estimate otherwise, text bytes / this

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("budget_tokens", budget_tokens, "keep the highest-scoring pages up to this many tokens", Check().at_least(1));
    v("budget_pages", budget_pages, "keep the highest-scoring pages up to this many pages", Check().at_least(1));
    v("threshold", threshold, "keep pages scoring at least this (with a budget: both apply)", Check().in_range(0, 1));
    v("token_field", token_field, "numeric field holding a page's token count, when present");
    v("bytes_per_token", bytes_per_token, "token estimate for pages without token_field: UTF-8 bytes / this",
      Check().greater_than(0));
  }
};

struct DedupConfig {
  bool url_dedup = true;   // exact dedup on the normalized URL (select/url.hpp)
  bool near_dedup = true;  // MinHash LSH
  int shingle_words = 5;   // word 5-grams
  int bands = 14;          // 14 bands x 8 rows: pairs with Jaccard ~0.75 collide with p ~0.5
  int rows = 8;
  uint64_t seed = 1;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("url_dedup", url_dedup, "drop pages whose normalized URL was seen before");
    v("near_dedup", near_dedup, "drop near-duplicates found by MinHash LSH");
    v("shingle_words", shingle_words, "words per shingle", Check().in_range(1, 64));
    v("bands", bands, "LSH bands", Check().in_range(1, 1024));
    v("rows", rows, "MinHash values per band", Check().in_range(1, 1024));
    v("seed", seed, "seed of the MinHash permutations");
  }
};

struct DomainsConfig {
  double min_fraction = 0.10;   // paper: a domain with over 10% of its pages collected is math-related
  int64_t min_seen_pages = 5;   // ours: smaller domains are not listed
  int prefix_depth = 2;         // path prefixes of 1..depth segments are counted
  int top_prefixes = 10;        // listed per domain

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("min_fraction", min_fraction, "list domains whose selected/seen page fraction exceeds this",
      Check().in_range(0, 1));
    v("min_seen_pages", min_seen_pages, "skip domains with fewer pages seen", Check().at_least(1));
    v("prefix_depth", prefix_depth, "count URL path prefixes of up to this many segments", Check().in_range(1, 8));
    v("top_prefixes", top_prefixes, "most common path prefixes listed per domain", Check().in_range(1, 1000));
  }
};

// One benchmark file whose texts must not occur in the corpus.
struct BenchmarkSource {
  std::string name;
  std::string path;                 // JSONL; relative paths resolve against decontamination.benchmark_dir
  std::vector<std::string> fields;  // string fields holding questions/answers

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("name", name, "name used in reports", Check().required().nonempty());
    v("path", path, "JSONL file of the benchmark", Check().required().nonempty());
    v("fields", fields, "string fields to index (questions, answers, solutions)", Check().required().nonempty());
  }
};

struct DecontaminationConfig {
  // paper section 2.1: text sharing a 10-gram with a benchmark is removed; benchmark texts of
  // 3 to 9 words are matched exactly
  int ngram = 10;
  int short_min_words = 3;
  std::string unit = "document";  // or "segment": drop only the lines that hold a match
  std::string benchmark_dir;
  std::vector<BenchmarkSource> benchmarks = {
      {"gsm8k", "gsm8k/test.jsonl", {"question", "answer"}},
      {"math", "math/math_test_5000.jsonl", {"problem", "solution"}},
      {"cmath", "deepseek-math-eval/cmath/test.jsonl", {"question"}},
      {"agieval-gaokao-mathcloze", "deepseek-math-eval/agieval/gaokao-mathcloze.jsonl", {"question"}},
      {"agieval-gaokao-mathqa", "deepseek-math-eval/agieval/gaokao-mathqa.jsonl", {"question"}},
  };

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("ngram", ngram, "n of the shared n-gram that marks contamination", Check().in_range(2, 64));
    v("short_min_words", short_min_words, "benchmark texts shorter than ngram but at least this long match exactly",
      Check().at_least(1));
    v("unit", unit, "what is removed on a match", Check().one_of({"document", "segment"}));
    v("benchmark_dir", benchmark_dir, "directory that relative benchmark paths resolve against (default: cwd)");
    v("benchmarks", benchmarks, "benchmark files and the fields to index", Check().nonempty());
  }
};

struct DataConfig {
  std::string stage = "data";
  int threads = 0;  // 0: every core
  std::string text_field = "text";
  std::string url_field = "url";
  std::string score_field = "math_score";
  ClassifierConfig classifier;
  SelectionConfig select;
  DedupConfig dedup;
  DomainsConfig domains;
  DecontaminationConfig decontamination;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("stage", stage, "which command this config is for", Check().one_of({"data"}));
    v("threads", threads, "worker threads (0: all cores)", Check().at_least(0));
    v("text_field", text_field, "JSONL field holding a page's text", Check().nonempty());
    v("url_field", url_field, "JSONL field holding a page's URL", Check().nonempty());
    v("score_field", score_field, "JSONL field the classifier score is written to and read from", Check().nonempty());
    v("classifier", classifier, "fastText math classifier (train-classifier, score)");
    v("select", select, "keeping the top pages (select)");
    v("dedup", dedup, "URL and MinHash near-duplicate removal (dedup)");
    v("domains", domains, "math-related domain discovery (domains)");
    v("decontamination", decontamination, "benchmark n-gram removal (decontaminate)");
  }
  void validate() const;

  int resolved_threads() const;
};

}  // namespace dsmath::select
