#pragma once
// Happens-before between streams (and the host), as vector clocks: entry s is the latest task of
// stream s known to have completed before whatever holds the clock. A task inherits its stream's
// clock; recording an event copies it, waiting on one joins it in, and a host synchronization
// joins a stream's clock into the host's, which every later task inherits.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace dsmath::emu {

class VectorClock {
 public:
  uint64_t at(int stream) const { return static_cast<size_t>(stream) < t_.size() ? t_[static_cast<size_t>(stream)] : 0; }
  void set(int stream, uint64_t seq) {
    if (static_cast<size_t>(stream) >= t_.size()) t_.resize(static_cast<size_t>(stream) + 1, 0);
    t_[static_cast<size_t>(stream)] = seq;
  }
  void join(const VectorClock& o) {
    if (o.t_.size() > t_.size()) t_.resize(o.t_.size(), 0);
    for (size_t i = 0; i < o.t_.size(); ++i) t_[i] = std::max(t_[i], o.t_[i]);
  }

 private:
  std::vector<uint64_t> t_;
};

}  // namespace dsmath::emu
