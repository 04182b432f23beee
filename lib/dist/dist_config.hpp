#pragma once
// Data-parallel settings: how long a collective may wait before the job is declared broken,
// and ZeRO-1 optimizer-state sharding.
#include "config/schema.hpp"

namespace dsmath {

struct DistConfig {
  double timeout_s = 600;  // a collective waiting longer means a peer died or hangs
  bool zero1 = false;      // shard AdamW state (and fp32 master weights) across ranks
  bool overlap_grad_reduce = true;  // reduce each layer's gradients while backward goes on

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("timeout_s", timeout_s, "seconds a collective may wait for the other ranks before the job aborts", Check().greater_than(0));
    v("zero1", zero1, "ZeRO-1: shard optimizer state across ranks (reduce-scatter gradients, all-gather weights)");
    v("overlap_grad_reduce", overlap_grad_reduce,
      "reduce each layer's gradients (one bucket per layer; all-reduce, or reduce to the ZeRO-1 owners) as soon as "
      "backward has finished them, during the step's last micro-batch");
  }
};

}  // namespace dsmath
