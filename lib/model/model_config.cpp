#include "model/model_config.hpp"

#include "core/error.hpp"

namespace dsmath {

void ModelConfig::validate() const {
  if (dim % n_heads != 0)
    fail_hint("pick n_heads dividing dim (head_dim = dim / n_heads)", "n_heads ({}) must divide dim ({})", n_heads, dim);
  if (n_heads % n_kv_heads != 0)
    fail_hint("each key/value head serves n_heads / n_kv_heads query heads", "n_kv_heads ({}) must divide n_heads ({})",
              n_kv_heads, n_heads);
  if (head_dim() % 2 != 0) fail_hint("RoPE rotates pairs of channels", "head_dim ({}) must be even", head_dim());
  if (bos_token_id >= vocab_size || eos_token_id >= vocab_size)
    fail("bos/eos token ids ({}, {}) must be below vocab_size ({})", bos_token_id, eos_token_id, vocab_size);
}

int64_t ModelConfig::num_embedding_parameters() const {
  const int64_t table = static_cast<int64_t>(vocab_size) * dim;
  if (head == ModelHead::scalar) return table + dim;  // input embeddings + the score row
  return tie_embeddings ? table : 2 * table;
}

int64_t ModelConfig::num_parameters() const {
  const int64_t d = dim;
  const int64_t per_layer = 2 * d                               // two RMSNorm weights
                            + d * qkv_dim()                     // q, k, v projections
                            + d * d                             // o projection
                            + 3 * d * static_cast<int64_t>(ffn_dim);  // gate, up, down
  return num_embedding_parameters() + n_layers * per_layer + d;  // + final norm
}

double ModelConfig::train_flops_per_token(int seq_len) const {
  // Matmul weights: everything but the norms and the input embedding lookup (a gather, no
  // FLOPs); the output head is a matmul whether tied or not.
  const double d = dim;
  const double per_layer = d * qkv_dim() + d * d + 3.0 * d * ffn_dim;
  const double head_params = head == ModelHead::scalar ? d : static_cast<double>(vocab_size) * d;
  const double matmul_params = n_layers * per_layer + head_params;
  // attention: QK^T and PV, 2 FLOPs per MAC, forward + backward (x3), causal (x1/2)
  const double attention = 6.0 * n_layers * d * seq_len;
  return 6.0 * matmul_params + attention;
}

Json ModelConfig::to_hf_config() const {
  Json j;
  j["architectures"] = {head == ModelHead::scalar ? "LlamaForSequenceClassification" : "LlamaForCausalLM"};
  if (head == ModelHead::scalar) {
    // one score per sequence, read at its last non-padding token (HF sequence classification)
    j["num_labels"] = 1;
    j["id2label"] = {{"0", "LABEL_0"}};
    j["label2id"] = {{"LABEL_0", 0}};
    j["pad_token_id"] = eos_token_id;
  }
  j["model_type"] = "llama";
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = dim;
  j["intermediate_size"] = ffn_dim;
  j["num_hidden_layers"] = n_layers;
  j["num_attention_heads"] = n_heads;
  j["num_key_value_heads"] = n_kv_heads;
  j["head_dim"] = head_dim();
  j["hidden_act"] = "silu";
  j["max_position_embeddings"] = max_seq_len;
  j["rms_norm_eps"] = norm_eps;
  j["rope_theta"] = rope_theta;
  j["rope_scaling"] = nullptr;
  j["attention_bias"] = false;
  j["mlp_bias"] = false;
  j["tie_word_embeddings"] = tie_embeddings;
  j["initializer_range"] = init_std;
  j["bos_token_id"] = bos_token_id;
  j["eos_token_id"] = eos_token_id;
  j["torch_dtype"] = "float32";
  return j;
}

ModelConfig ModelConfig::from_hf_config(const Json& hf, const std::string& source) {
  auto get_int = [&](const char* key, std::optional<int> fallback) -> int {
    if (hf.contains(key) && hf[key].is_number_integer()) return hf[key].get<int>();
    if (fallback) return *fallback;
    fail_hint("a LlamaForCausalLM config.json has it", "{}: missing integer '{}'", source, key);
  };
  auto get_double = [&](const char* key, double fallback) -> double {
    if (hf.contains(key) && hf[key].is_number()) return hf[key].get<double>();
    return fallback;
  };
  if (hf.contains("model_type") && hf["model_type"].is_string()) {
    const std::string type = hf["model_type"];
    if (type != "llama")
      fail_hint("dsmath loads LLaMA-architecture models (DeepSeek LLM/Math are model_type llama)",
                "{}: model_type '{}' is not supported", source, type);
  }
  if (hf.contains("rope_scaling") && !hf["rope_scaling"].is_null())
    fail_hint("remove rope_scaling or use a model without it", "{}: rope_scaling is not supported", source);
  // transformers >= 5 writes rope_parameters {rope_theta, rope_type} instead of rope_theta
  double rope_theta_v5 = 0;
  if (hf.contains("rope_parameters") && hf["rope_parameters"].is_object()) {
    const Json& rp = hf["rope_parameters"];
    const std::string type = rp.value("rope_type", std::string("default"));
    if (type != "default")
      fail_hint("dsmath implements plain RoPE", "{}: rope_parameters.rope_type '{}' is not supported", source, type);
    if (rp.contains("rope_theta") && rp["rope_theta"].is_number()) rope_theta_v5 = rp["rope_theta"].get<double>();
  }
  if (hf.value("attention_bias", false) || hf.value("mlp_bias", false))
    fail("{}: attention_bias/mlp_bias models are not supported", source);
  if (hf.contains("hidden_act") && hf["hidden_act"] != "silu")
    fail("{}: hidden_act '{}' is not supported (SwiGLU uses silu)", source, hf["hidden_act"].dump());
  ModelConfig c;
  if (hf.contains("architectures") && hf["architectures"].is_array()) {
    for (const auto& a : hf["architectures"]) {
      if (a == "LlamaForSequenceClassification") {
        c.head = ModelHead::scalar;
        if (hf.value("num_labels", 1) != 1 && !(hf.contains("id2label") && hf["id2label"].size() == 1))
          fail_hint("dsmath reward models have one output", "{}: sequence classification with several labels is not supported", source);
      } else if (a != "LlamaForCausalLM") {
        fail_hint("dsmath loads LlamaForCausalLM and LlamaForSequenceClassification", "{}: architecture {} is not supported", source, a.dump());
      }
    }
  }
  c.vocab_size = get_int("vocab_size", std::nullopt);
  c.dim = get_int("hidden_size", std::nullopt);
  c.ffn_dim = get_int("intermediate_size", std::nullopt);
  c.n_layers = get_int("num_hidden_layers", std::nullopt);
  c.n_heads = get_int("num_attention_heads", std::nullopt);
  c.n_kv_heads = get_int("num_key_value_heads", c.n_heads);
  c.max_seq_len = get_int("max_position_embeddings", 4096);
  c.norm_eps = get_double("rms_norm_eps", 1e-6);
  c.rope_theta = rope_theta_v5 > 0 ? rope_theta_v5 : get_double("rope_theta", 10000.0);
  c.tie_embeddings = hf.value("tie_word_embeddings", false);
  c.init_std = get_double("initializer_range", 0.02);
  // ids may be absent, null, or (eos in newer configs) a list: the first entry is the one we keep
  auto token_id = [&](const char* key, int fallback) {
    if (!hf.contains(key)) return fallback;
    const Json& v = hf[key];
    if (v.is_number_integer()) return v.get<int>();
    if (v.is_array() && !v.empty() && v[0].is_number_integer()) return v[0].get<int>();
    return fallback;
  };
  c.bos_token_id = token_id("bos_token_id", 0);
  c.eos_token_id = token_id("eos_token_id", 1);
  if (hf.contains("head_dim") && hf["head_dim"].is_number_integer() && hf["head_dim"].get<int>() != c.dim / c.n_heads)
    fail("{}: head_dim {} != hidden_size / num_attention_heads ({}) is not supported", source, hf["head_dim"].get<int>(),
         c.dim / c.n_heads);
  try {
    c.validate();
  } catch (const Error& e) {
    throw Error(source + ": " + e.what(), e.hint());
  }
  return c;
}

}  // namespace dsmath
