#include "select/math_classifier.hpp"

#include <fasttext/fasttext.h>

#include <cmath>
#include <istream>
#include <streambuf>

#include "core/error.hpp"
#include "core/files.hpp"
#include "select/data_config.hpp"
#include "select/text_tokens.hpp"

namespace dsmath::select {
namespace {

// An istream over a string's bytes without copying them (Dictionary::getLine reads a stream).
class MemoryBuffer : public std::streambuf {
 public:
  MemoryBuffer(const char* data, size_t size) {
    char* p = const_cast<char*>(data);  // read-only use: the get area is never written
    setg(p, p, p + size);
  }
};

fasttext::loss_name loss_from_name(const std::string& name) {
  if (name == "softmax") return fasttext::loss_name::softmax;
  if (name == "ns") return fasttext::loss_name::ns;
  if (name == "hs") return fasttext::loss_name::hs;
  if (name == "ova") return fasttext::loss_name::ova;
  fail("unknown fastText loss '{}'", name);
}

}  // namespace

MathClassifier::MathClassifier(const std::filesystem::path& model_path) : model_(std::make_unique<fasttext::FastText>()) {
  if (!std::filesystem::exists(model_path))
    fail_hint("train one with `dsmath data train-classifier`", "classifier model '{}' does not exist", model_path.string());
  try {
    model_->loadModel(model_path.string());
  } catch (const std::exception& e) {
    fail_hint("the file must be a fastText .bin model written by `dsmath data train-classifier` or `fasttext supervised`",
              "cannot load classifier model '{}': {}", model_path.string(), e.what());
  }
  if (model_->getArgs().model != fasttext::model_name::sup)
    fail_hint("train a supervised model", "'{}' is not a supervised fastText model", model_path.string());
  auto dict = model_->getDictionary();
  for (int32_t i = 0; i < dict->nlabels(); ++i)
    if (dict->getLabel(i) == kMathLabel) math_label_ = i;
  if (math_label_ < 0)
    fail_hint("train it with the labels __label__math and __label__other", "model '{}' has no label {}",
              model_path.string(), std::string(kMathLabel));
}

MathClassifier::~MathClassifier() = default;

double MathClassifier::score(std::string_view text) const {
  thread_local std::string normalized;
  normalize_for_classifier(text, normalized);
  return score_normalized(normalized);
}

double MathClassifier::score_normalized(std::string_view normalized) const {
  thread_local std::string line;
  thread_local std::vector<int32_t> words, labels;
  thread_local fasttext::Predictions predictions;
  // fastText reads one example per line; the '\n' adds the end-of-sentence token as in training
  line.assign(normalized);
  line.push_back('\n');
  MemoryBuffer buffer(line.data(), line.size());
  std::istream in(&buffer);
  model_->getDictionary()->getLine(in, words, labels);
  predictions.clear();
  model_->predict(-1, words, predictions, 0.0);
  for (const auto& [log_prob, label] : predictions)
    if (label == math_label_) return std::exp(static_cast<double>(log_prob));
  return 0.0;
}

int MathClassifier::dim() const { return model_->getDimension(); }
int64_t MathClassifier::vocabulary_size() const { return model_->getDictionary()->nwords(); }

void train_fasttext_model(const std::filesystem::path& training_file, const std::filesystem::path& model_path,
                          const ClassifierConfig& config, int threads,
                          const std::function<void(double, double)>& on_progress) {
  fasttext::Args args;
  args.input = training_file.string();
  args.model = fasttext::model_name::sup;
  args.loss = loss_from_name(config.loss);
  args.dim = config.dim;
  args.lr = config.lr;
  args.wordNgrams = config.word_ngrams;
  args.minCount = config.min_count;
  args.epoch = config.epochs;
  args.bucket = config.bucket;
  args.minn = 0;  // supervised defaults of the fastText CLI: no character n-grams
  args.maxn = 0;
  args.thread = threads;
  args.seed = config.seed;
  args.verbose = 0;
  args.label = "__label__";
  fasttext::FastText model;
  try {
    model.train(args, [&](float progress, float loss, double, double, int64_t) {
      if (on_progress) on_progress(progress, loss);
    });
  } catch (const std::invalid_argument& e) {
    fail_hint("give more training pages or lower classifier.min_count", "fastText training failed: {}", e.what());
  }
  AtomicFile out(model_path);
  model.saveModel(out.temp_path().string());  // fastText writes the file by name; commit() syncs and renames it
  out.commit();
}

}  // namespace dsmath::select
