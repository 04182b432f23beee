#include "select/classifier_training.hpp"

#include <unistd.h>

#include <fstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "core/timer.hpp"
#include "select/math_classifier.hpp"
#include "select/page_pipeline.hpp"
#include "select/text_tokens.hpp"

namespace dsmath::select {

double BinaryCounts::precision() const {
  const uint64_t predicted = true_positives + false_positives;
  return predicted == 0 ? 0.0 : static_cast<double>(true_positives) / static_cast<double>(predicted);
}
double BinaryCounts::recall() const {
  const uint64_t actual = true_positives + false_negatives;
  return actual == 0 ? 0.0 : static_cast<double>(true_positives) / static_cast<double>(actual);
}
double BinaryCounts::accuracy() const {
  const uint64_t all = true_positives + false_positives + true_negatives + false_negatives;
  return all == 0 ? 0.0 : static_cast<double>(true_positives + true_negatives) / static_cast<double>(all);
}

namespace {

struct Example {
  bool math = false;
  std::string text;  // normalized
};

// Uniform sample of at most `limit` normalized pages of `inputs` (reservoir sampling, Vitter's
// algorithm R), so the sample does not depend on how the inputs are ordered or split.
std::vector<Example> sample_pages(const std::vector<std::filesystem::path>& inputs, bool math, int64_t limit,
                                  Rng& rng, const DataConfig& config, InputFormat format, uint64_t& read,
                                  uint64_t& malformed) {
  PageSource source(inputs, format);
  PageFields fields{config.text_field, config.url_field, config.score_field, config.select.token_field};
  std::vector<Example> reservoir;
  uint64_t seen = 0;
  const auto stats = run_page_pipeline(
      source, fields, config.resolved_threads(), math ? "reading positives" : "reading negatives",
      [](Page& page, int) { page.text = normalize_for_classifier(page.text); },
      [&](std::vector<Page>& batch) {
        for (Page& page : batch) {
          if (!page.error.empty()) continue;
          if (seen < static_cast<uint64_t>(limit)) {
            reservoir.push_back({math, std::move(page.text)});
          } else {
            const uint64_t j = rng.below(seen + 1);
            if (j < static_cast<uint64_t>(limit)) reservoir[j].text = std::move(page.text);
          }
          ++seen;
        }
      });
  stats.fail_if_all_malformed(source);
  read += stats.good_pages();
  malformed += stats.malformed;
  return reservoir;
}

// Removes the file when it goes out of scope (the training text is only needed by fastText).
struct TemporaryFile {
  std::filesystem::path path;
  ~TemporaryFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

}  // namespace

ClassifierTrainingReport train_math_classifier(const std::vector<std::filesystem::path>& positives,
                                               const std::vector<std::filesystem::path>& negatives,
                                               const std::filesystem::path& model_path, const DataConfig& config,
                                               InputFormat format) {
  Stopwatch clock;
  const ClassifierConfig& cc = config.classifier;
  ClassifierTrainingReport report;
  Rng rng(static_cast<uint64_t>(cc.seed));
  std::vector<Example> examples =
      sample_pages(positives, true, cc.max_positives, rng, config, format, report.positives_read, report.malformed);
  std::vector<Example> negative_examples =
      sample_pages(negatives, false, cc.max_negatives, rng, config, format, report.negatives_read, report.malformed);
  report.positives_used = examples.size();
  report.negatives_used = negative_examples.size();
  if (examples.empty())
    fail_hint("the seed files must hold pages with a 'text' field", "no usable positive (seed) pages in {} file(s)",
              positives.size());
  if (negative_examples.empty())
    fail_hint("the negative files must hold pages with a 'text' field", "no usable negative pages in {} file(s)",
              negatives.size());
  for (auto& e : negative_examples) examples.push_back(std::move(e));
  negative_examples.clear();

  // Fisher-Yates shuffle, then the last holdout_fraction is held out
  for (size_t i = examples.size(); i > 1; --i) std::swap(examples[i - 1], examples[rng.below(i)]);
  const auto heldout = static_cast<size_t>(static_cast<double>(examples.size()) * cc.holdout_fraction);
  const size_t train_count = examples.size() - heldout;
  report.train_examples = train_count;
  report.heldout_examples = heldout;

  std::filesystem::path model_dir = model_path.parent_path();
  if (!model_dir.empty()) create_directories(model_dir);
  TemporaryFile training_file{model_path.string() + ".train-" + std::to_string(::getpid()) + ".txt"};
  {
    std::ofstream out(training_file.path, std::ios::binary);
    if (!out) fail_hint("check that the directory is writable", "cannot write '{}'", training_file.path.string());
    for (size_t i = 0; i < train_count; ++i)
      out << (examples[i].math ? kMathLabel : kOtherLabel) << ' ' << examples[i].text << '\n';
    out.flush();
    if (!out) fail_hint("check free disk space", "error writing '{}'", training_file.path.string());
  }
  log::info("training fastText on {} pages ({} held out): dim {}, lr {}, word n-grams {}, min count {}, {} epochs",
            train_count, heldout, cc.dim, cc.lr, cc.word_ngrams, cc.min_count, cc.epochs);
  {
    Progress progress("training", 1000, "permille");
    train_fasttext_model(training_file.path, model_path, cc, config.resolved_threads(), [&](double fraction, double loss) {
      if (loss >= 0) progress.update(static_cast<uint64_t>(fraction * 1000.0), fmt::format("loss {:.4f}", loss));
    });
  }

  MathClassifier classifier(model_path);
  report.vocabulary = classifier.vocabulary_size();
  std::vector<double> scores(heldout);
#pragma omp parallel for schedule(dynamic, 16) num_threads(config.resolved_threads())
  for (int64_t i = 0; i < static_cast<int64_t>(heldout); ++i)
    scores[static_cast<size_t>(i)] = classifier.score_normalized(examples[train_count + static_cast<size_t>(i)].text);
  for (size_t i = 0; i < heldout; ++i) {
    const bool predicted = scores[i] >= cc.threshold;
    const bool actual = examples[train_count + i].math;
    if (predicted && actual) ++report.heldout.true_positives;
    else if (predicted) ++report.heldout.false_positives;
    else if (actual) ++report.heldout.false_negatives;
    else ++report.heldout.true_negatives;
  }
  report.seconds = clock.seconds();
  return report;
}

}  // namespace dsmath::select
