#pragma once
// Progress for long loops: on a terminal a single line redrawn in place with rate and ETA;
// otherwise (logs, CI) a plain line at most every `plain_interval_s` seconds.
#include <cstdint>
#include <string>

#include "core/timer.hpp"

namespace dsmath {

class Progress {
 public:
  // total == 0 means unknown (no ETA, no percentage).
  Progress(std::string label, uint64_t total, std::string unit = "items", double plain_interval_s = 30.0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Sets the absolute count; `extra` is appended to the line (e.g. "loss 2.31").
  void update(uint64_t done, const std::string& extra = {});
  void finish();
  double elapsed_s() const { return clock_.seconds(); }

 private:
  std::string line(uint64_t done, const std::string& extra) const;
  std::string label_;
  uint64_t total_;
  std::string unit_;
  double plain_interval_s_;
  Stopwatch clock_;
  double last_draw_s_ = -1e9;
  bool finished_ = false;
};

}  // namespace dsmath
