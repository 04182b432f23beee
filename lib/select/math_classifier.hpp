#pragma once
// The fastText math classifier of paper section 2.1: a supervised fastText model (libfasttext)
// over normalize_for_classifier() text with two labels, __label__math and __label__other.
// score() is P(math) from the model's softmax, computed as the fastText command line does
// (Dictionary::getLine, then FastText::predict), so scores equal `fasttext predict-prob` on
// the same normalized line.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace fasttext {
class FastText;
}

namespace dsmath::select {

struct ClassifierConfig;

inline constexpr std::string_view kMathLabel = "__label__math";
inline constexpr std::string_view kOtherLabel = "__label__other";

class MathClassifier {
 public:
  explicit MathClassifier(const std::filesystem::path& model_path);
  ~MathClassifier();
  MathClassifier(const MathClassifier&) = delete;
  MathClassifier& operator=(const MathClassifier&) = delete;

  // P(math | page text); normalizes the text first. Thread-safe.
  double score(std::string_view text) const;
  // Same, for text already normalized (one line, no '\n').
  double score_normalized(std::string_view normalized) const;

  int dim() const;
  int64_t vocabulary_size() const;

 private:
  std::unique_ptr<fasttext::FastText> model_;
  int32_t math_label_ = -1;
};

// Trains a classifier on `training_file` (fastText format: "__label__math words...\n") and
// saves it atomically to `model_path`. `threads` > 1 is faster but not bit-reproducible
// (fastText's Hogwild updates); 1 thread with the same seed gives the same model.
// `on_progress(fraction, loss)` is called from the training thread.
void train_fasttext_model(const std::filesystem::path& training_file, const std::filesystem::path& model_path,
                          const ClassifierConfig& config, int threads,
                          const std::function<void(double, double)>& on_progress = {});

}  // namespace dsmath::select
