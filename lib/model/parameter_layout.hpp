#pragma once
// Where every parameter lives in the one flat buffer (llm.c style): the optimizer, gradient
// all-reduce and ZeRO-1 sharding act on flat ranges, while checkpoints see Hugging Face
// LLaMA tensor names. Per layer, q/k/v are adjacent (one fused [qkv_dim, dim] GEMM) and so
// are gate/up (one fused [2*ffn, dim] GEMM). Each such group starts on a 128-element
// boundary so GPU kernels can use aligned vector loads.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/model_config.hpp"

namespace dsmath {

struct ParamInfo {
  std::string name;            // HF name, e.g. "model.layers.3.self_attn.q_proj.weight"
  std::vector<int64_t> shape;  // HF shape, e.g. {out_features, in_features}
  int64_t offset = 0;          // elements from the start of the flat buffer
  int64_t numel = 0;
  bool weight_decay = true;    // false for norm weights (1-D)
};

class ParameterLayout {
 public:
  explicit ParameterLayout(const ModelConfig& config);

  struct Layer {
    int64_t attn_norm, qkv, o_proj, mlp_norm, gate_up, down_proj;
  };

  const std::vector<ParamInfo>& tensors() const { return tensors_; }
  int64_t total() const { return total_; }  // flat buffer length, alignment gaps included
  const ParamInfo* find(std::string_view name) const;
  const ParamInfo& get(std::string_view name) const;

  const Layer& layer(int l) const { return layers_[static_cast<size_t>(l)]; }
  int64_t embed() const { return embed_; }
  int64_t final_norm() const { return final_norm_; }
  int64_t lm_head() const { return lm_head_; }  // == embed() when tied; the score row of a scalar head

 private:
  int64_t add(std::string name, std::vector<int64_t> shape, bool align, bool decay);
  std::vector<ParamInfo> tensors_;
  std::vector<Layer> layers_;
  int64_t total_ = 0;
  int64_t embed_ = 0, final_norm_ = 0, lm_head_ = 0;
};

}  // namespace dsmath
