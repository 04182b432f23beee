#pragma once
// One batch of token rows for a forward pass, on the host. Targets < 0 contribute nothing
// (prompt tokens in SFT, padding). Positions default to 0..seq-1 per row; segment ids (when
// given) keep attention inside each packed document.
#include <cstdint>
#include <vector>

namespace dsmath {

struct TokenBatch {
  int batch = 0;
  int seq = 0;
  std::vector<int32_t> tokens;     // [batch * seq]
  std::vector<int32_t> targets;    // [batch * seq], -1 = ignored
  std::vector<int32_t> positions;  // [batch * seq] or empty
  std::vector<int32_t> segments;   // [batch * seq] or empty

  int64_t size() const { return static_cast<int64_t>(batch) * seq; }
  void resize(int b, int t) {
    batch = b;
    seq = t;
    tokens.assign(static_cast<size_t>(size()), 0);
    targets.assign(static_cast<size_t>(size()), -1);
    positions.clear();
    segments.clear();
  }
  int64_t count_targets() const {
    int64_t n = 0;
    for (int32_t t : targets) n += (t >= 0);
    return n;
  }
};

}  // namespace dsmath
