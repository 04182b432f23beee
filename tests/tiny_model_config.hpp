#pragma once
// The ModelConfig set-up shared by the tests that build small models: the shape fields in one
// call, everything else at its default (tests set what else they need on the result).
#include "model/model_config.hpp"

namespace dsmath::test {

inline ModelConfig model_shape(int vocab_size, int dim, int n_layers, int n_heads, int n_kv_heads, int ffn_dim) {
  ModelConfig c;
  c.vocab_size = vocab_size;
  c.dim = dim;
  c.n_layers = n_layers;
  c.n_heads = n_heads;
  c.n_kv_heads = n_kv_heads;
  c.ffn_dim = ffn_dim;
  return c;
}

}  // namespace dsmath::test
