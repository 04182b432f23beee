#pragma once
// AdamW over the model's flat parameter buffer, with weight decay skipped for norm weights.
// The optimizer owns a contiguous range [begin, end) of the flat buffer: all of it in plain
// data parallelism, one rank's shard under ZeRO-1. Moments (and fp32 master weights when the
// model computes in bf16) exist only for that range. The moments are f32, or bf16 with
// optim.state_dtype (the backend rounds them stochastically; checkpoints hold them as f32).
#include <cstdint>
#include <span>
#include <vector>

#include "backend/backend.hpp"
#include "model/parameter_layout.hpp"
#include "optim/optim_config.hpp"

namespace dsmath {

class AdamW {
 public:
  // params_dtype: the model's compute dtype; anything but f32 gets fp32 master weights here,
  // and each step refreshes the model's lower-precision copy from them.
  AdamW(Backend& backend, const ParameterLayout& layout, const OptimConfig& config, int64_t begin, int64_t end,
        DType params_dtype = DType::f32);

  // One update of params[begin, end) from grads[begin, end). grad_scale multiplies the grads
  // first (1/clip factor). params/grads are the model's whole flat buffers.
  void step(Tensor params, Tensor grads, float lr, float grad_scale);

  int64_t begin() const { return begin_; }
  int64_t end() const { return end_; }
  int64_t steps_taken() const { return step_; }
  void set_steps_taken(int64_t s) { step_ = s; }

  // Host copies of the moments for checkpoints (fp32, length end - begin).
  std::vector<float> get_m() const;
  std::vector<float> get_v() const;
  void set_state(std::span<const float> m, std::span<const float> v);
  bool has_master() const { return master_.data() != nullptr; }
  DType state_dtype() const { return state_dtype_; }
  // Backend bytes held: moments, plus master weights when present.
  size_t state_bytes() const { return m_.bytes() + v_.bytes() + master_.bytes(); }
  // fp32 master weights of the range (has_master() only): loaded from full-precision values
  // (init or checkpoint), saved in checkpoints so bf16 training resumes exactly.
  void set_master(std::span<const float> values);
  std::vector<float> get_master() const;

 private:
  struct Range {
    int64_t begin, end;
    bool decay;
  };
  Backend& backend_;
  OptimConfig config_;
  int64_t begin_, end_;
  int64_t step_ = 0;
  DType state_dtype_ = DType::f32;
  std::vector<Range> ranges_;  // decay groups intersected with [begin, end)
  Buffer m_, v_, master_;
};

}  // namespace dsmath
