// dsmath data train-classifier: the fastText math classifier from seed pages and random pages.
#include <fmt/format.h>

#include "cmd_data.hpp"
#include "select/classifier_training.hpp"

namespace dsmath::app {

void register_data_train_classifier(CLI::App& data) {
  auto* cmd = data.add_subcommand("train-classifier",
                                  "train the fastText math classifier on seed pages (positives) and random pages");
  auto options = add_data_options(cmd);
  auto positives = std::make_shared<std::vector<std::string>>();
  auto negatives = std::make_shared<std::vector<std::string>>();
  auto model = std::make_shared<std::string>();
  cmd->add_option("--positives", *positives, "seed pages (JSONL with 'text', or WET)")->required();
  cmd->add_option("--negatives", *negatives, "random web pages (JSONL or WET)")->required();
  cmd->add_option("-o,--model", *model, "output fastText model (.bin)")->required();
  add_knob(cmd, *options, "--dim", "classifier.dim", "word vector size");
  add_knob(cmd, *options, "--epochs", "classifier.epochs", "training epochs");
  add_knob(cmd, *options, "--lr", "classifier.lr", "learning rate");
  add_knob(cmd, *options, "--word-ngrams", "classifier.word_ngrams", "word n-gram length");
  add_knob(cmd, *options, "--min-count", "classifier.min_count", "minimal word count");
  add_knob(cmd, *options, "--seed", "classifier.seed", "sampling and training seed");
  add_knob(cmd, *options, "--max-positives", "classifier.max_positives", "seed pages sampled");
  add_knob(cmd, *options, "--max-negatives", "classifier.max_negatives", "random pages sampled");
  cmd->callback([=] {
    const select::DataConfig config = options->load();
    const auto r = select::train_math_classifier(to_paths(*positives), to_paths(*negatives), *model, config,
                                                 options->format());
    fmt::print("train-classifier: {} positives (of {}), {} negatives (of {}){}; trained on {}, held out {}: "
               "precision {:.3f} recall {:.3f} accuracy {:.3f} at score >= {}; vocabulary {}; {:.1f}s -> {}\n",
               r.positives_used, r.positives_read, r.negatives_used, r.negatives_read,
               skipped_note(r.malformed), r.train_examples,
               r.heldout_examples, r.heldout.precision(), r.heldout.recall(), r.heldout.accuracy(),
               config.classifier.threshold, r.vocabulary, r.seconds, *model);
  });
}

}  // namespace dsmath::app
