#pragma once
#include <chrono>
#include <string>

namespace dsmath {

// Wall-clock stopwatch (steady clock), seconds as double.
class Stopwatch {
 public:
  Stopwatch() : start_(clock::now()) {}
  void restart() { start_ = clock::now(); }
  double seconds() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

 private:
  using clock = std::chrono::steady_clock;
  clock::time_point start_;
};

// "2026-11-24T21:45:00Z": wall-clock time for metrics lines and trainer state.
std::string utc_timestamp();

}  // namespace dsmath
