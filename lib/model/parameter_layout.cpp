#include "model/parameter_layout.hpp"

#include "core/error.hpp"

namespace dsmath {

namespace {
constexpr int64_t kGroupAlignment = 128;
}

int64_t ParameterLayout::add(std::string name, std::vector<int64_t> shape, bool align, bool decay) {
  if (align) total_ = (total_ + kGroupAlignment - 1) / kGroupAlignment * kGroupAlignment;
  int64_t numel = 1;
  for (int64_t d : shape) numel *= d;
  tensors_.push_back(ParamInfo{std::move(name), std::move(shape), total_, numel, decay});
  const int64_t offset = total_;
  total_ += numel;
  return offset;
}

ParameterLayout::ParameterLayout(const ModelConfig& c) {
  const int64_t d = c.dim, f = c.ffn_dim, kv = c.kv_dim(), v = c.vocab_size;
  embed_ = add("model.embed_tokens.weight", {v, d}, true, true);
  for (int l = 0; l < c.n_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    Layer layer{};
    layer.attn_norm = add(p + "input_layernorm.weight", {d}, true, false);
    layer.qkv = add(p + "self_attn.q_proj.weight", {d, d}, true, true);
    add(p + "self_attn.k_proj.weight", {kv, d}, false, true);
    add(p + "self_attn.v_proj.weight", {kv, d}, false, true);
    layer.o_proj = add(p + "self_attn.o_proj.weight", {d, d}, true, true);
    layer.mlp_norm = add(p + "post_attention_layernorm.weight", {d}, true, false);
    layer.gate_up = add(p + "mlp.gate_proj.weight", {f, d}, true, true);
    add(p + "mlp.up_proj.weight", {f, d}, false, true);
    layer.down_proj = add(p + "mlp.down_proj.weight", {d, f}, true, true);
    layers_.push_back(layer);
  }
  final_norm_ = add("model.norm.weight", {d}, true, false);
  if (c.head == ModelHead::scalar)
    lm_head_ = add("score.weight", {1, d}, true, true);
  else
    lm_head_ = c.tie_embeddings ? embed_ : add("lm_head.weight", {v, d}, true, true);
  total_ = (total_ + kGroupAlignment - 1) / kGroupAlignment * kGroupAlignment;
}

const ParamInfo* ParameterLayout::find(std::string_view name) const {
  for (const auto& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

const ParamInfo& ParameterLayout::get(std::string_view name) const {
  const ParamInfo* p = find(name);
  if (p == nullptr) fail("no parameter named '{}' in this model", name);
  return *p;
}

}  // namespace dsmath
