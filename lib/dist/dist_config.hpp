#pragma once
// Data-parallel settings: how long a collective may wait before the job is declared broken,
// and ZeRO-1 optimizer-state sharding.
#include "config/schema.hpp"

namespace dsmath {

struct DistConfig {
  double timeout_s = 600;  // a collective waiting longer means a peer died or hangs
  bool zero1 = false;      // shard AdamW state (and fp32 master weights) across ranks

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("timeout_s", timeout_s, "seconds a collective may wait for the other ranks before the job aborts", Check().greater_than(0));
    v("zero1", zero1, "ZeRO-1: shard optimizer state across ranks (reduce-scatter gradients, all-gather weights)");
  }
};

}  // namespace dsmath
