#pragma once
// The one-line result of a training command on stdout (rank 0 only: N ranks printing the same
// line would make the output of a multi-node job hard to script against).
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/strings.hpp"
#include "train/lm_training.hpp"

namespace dsmath::app {

// Thrown to end the process with a given status after the result has been printed.
struct ExitStatus {
  int code;
};
// A training run stopped by a signal has written its checkpoint but is not finished: it exits
// with EX_TEMPFAIL (75, "try again"), so job scripts do not take it for a completed stage.
inline constexpr int kExitStoppedEarly = 75;

inline void print_line(const std::string& line) {
  if (log::is_primary()) std::cout << line << "\n";
}

inline void print_training_summary(const std::string& stage, const TrainingSummary& s, const std::string& extra = {}) {
  if (s.steps == s.start_step) {
    print_line(fmt::format("{}: nothing to do, the run is already at step {}; checkpoint {}", stage, s.steps, s.checkpoint.string()));
    return;
  }
  print_line(fmt::format("{}: {} steps{}, loss {:.4f} -> {:.4f}, {} tok/s{}, checkpoint {}", stage, s.steps,
                         s.stopped_early ? " (stopped early by a signal)" : "", s.first_loss, s.last_loss,
                         human_count(s.tokens_per_s), extra, s.checkpoint.string()));
  if (s.stopped_early) throw ExitStatus{kExitStoppedEarly};
}

}  // namespace dsmath::app
