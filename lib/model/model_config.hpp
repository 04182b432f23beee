#pragma once
// The shape of a LLaMA-architecture decoder (RMSNorm, RoPE, SwiGLU, grouped-query attention),
// as in Hugging Face's LlamaConfig. DeepSeek LLM 7B / DeepSeekMath 7B: vocab 102400, dim 4096,
// 30 layers, 32 heads (no GQA), ffn 11008, RoPE theta 10000, context 4096, untied embeddings
// (DESIGN.md section 2; configs/model/deepseek-math-7b.yaml).
#include <cstdint>
#include <string>

#include "config/schema.hpp"
#include "core/json.hpp"

namespace dsmath {

// What the model predicts at each position: next-token log-probabilities (a language model,
// HF LlamaForCausalLM) or one scalar (a reward model, HF LlamaForSequenceClassification with
// num_labels 1, whose "score" head replaces lm_head).
enum class ModelHead { lm, scalar };

struct ModelConfig {
  int vocab_size = 512;
  int dim = 64;          // hidden size
  int n_layers = 2;
  int n_heads = 4;
  int n_kv_heads = 4;    // == n_heads: full multi-head attention; fewer: GQA
  int ffn_dim = 176;     // SwiGLU intermediate size
  double rope_theta = 10000.0;
  int max_seq_len = 256;
  double norm_eps = 1e-6;
  bool tie_embeddings = false;
  ModelHead head = ModelHead::lm;
  double init_std = 0.02;  // normal(0, init_std) for every matrix, as HF's initializer_range
  int bos_token_id = 0;    // written to config.json; the tokenizer decides the real ids
  int eos_token_id = 1;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("vocab_size", vocab_size, "rows of the embedding (may exceed the tokenizer's ids)", Check().at_least(2));
    v("dim", dim, "hidden size", Check().at_least(2));
    v("n_layers", n_layers, "transformer blocks", Check().at_least(1));
    v("n_heads", n_heads, "attention (query) heads", Check().at_least(1));
    v("n_kv_heads", n_kv_heads, "key/value heads; fewer than n_heads is grouped-query attention", Check().at_least(1));
    v("ffn_dim", ffn_dim, "SwiGLU intermediate size", Check().at_least(1));
    v("rope_theta", rope_theta, "RoPE base frequency", Check().greater_than(0));
    v("max_seq_len", max_seq_len, "longest context in tokens", Check().at_least(2));
    v("norm_eps", norm_eps, "RMSNorm epsilon", Check().greater_than(0));
    v("tie_embeddings", tie_embeddings, "share the embedding matrix with the output head");
    v("head", head, "lm: next-token distribution; scalar: one value per position (reward models)");
    v("init_std", init_std, "std of the normal init of every matrix (norm weights start at 1)", Check().greater_than(0));
    v("bos_token_id", bos_token_id, "beginning-of-sequence id (config.json)", Check().at_least(0));
    v("eos_token_id", eos_token_id, "end-of-sequence id (config.json)", Check().at_least(0));
  }
  void validate() const;

  int head_dim() const { return dim / n_heads; }
  int kv_dim() const { return n_kv_heads * head_dim(); }
  int qkv_dim() const { return dim + 2 * kv_dim(); }

  // Parameters, with and without the embedding matrices (MFU conventions count all matmul
  // weights: 6 * N * tokens, N including the output head).
  int64_t num_parameters() const;
  int64_t num_embedding_parameters() const;
  // Training FLOPs per token: 6 * (matmul parameters) + attention 12 * L * dim * seq / 2
  // (causal: half the T x T scores), the accounting of the PaLM/Megatron MFU formula.
  double train_flops_per_token(int seq_len) const;

  // Hugging Face LlamaConfig (config.json) <-> ModelConfig.
  Json to_hf_config() const;
  static ModelConfig from_hf_config(const Json& hf, const std::string& source);
};

}  // namespace dsmath

template <>
struct dsmath::config::EnumNames<dsmath::ModelHead> {
  static constexpr std::array<std::pair<dsmath::ModelHead, std::string_view>, 2> values{
      {{dsmath::ModelHead::lm, "lm"}, {dsmath::ModelHead::scalar, "scalar"}}};
};
