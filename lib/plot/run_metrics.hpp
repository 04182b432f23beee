#pragma once
// Reading the metrics.jsonl of a run directory (DESIGN.md section 4: one JSON object per step,
// written by the training loop: step, loss, lr, grad_norm, tokens_per_s, mfu, ...; for GRPO
// reward_mean, kl, entropy, accuracy, ...) into one series per numeric key. A line that is
// not a JSON object or has no numeric "step" (a line cut short by a crash, a hand edit) is
// skipped with a file:line warning and counted; it never stops a plot.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "plot/image.hpp"

namespace dsmath::plot {

struct RunMetrics {
  std::string name;                        // legend name: the run directory as given
  std::filesystem::path file;              // the metrics.jsonl read
  std::vector<std::string> metric_names;   // numeric keys other than "step", in order of first appearance
  std::map<std::string, std::vector<Point>> series;  // key -> (step, value) in file order
  uint64_t lines = 0;                      // non-blank lines read
  uint64_t malformed = 0;                  // of them skipped
};

// `run` is a run directory holding metrics.jsonl, or a metrics JSONL file itself. A missing
// path, or a directory without metrics.jsonl, is an error with a hint.
RunMetrics read_run_metrics(const std::filesystem::path& run);

}  // namespace dsmath::plot
