#pragma once
// A tiny tokenizer, base model and conversation files for the SFT and reward-model tests.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backend/cpu/cpu_backend.hpp"
#include "core/files.hpp"
#include "core/json.hpp"
#include "core/rng.hpp"
#include "io/hf_model.hpp"
#include "model/transformer.hpp"
#include "tokenizer/bpe_trainer.hpp"
#include "tokenizer/tokenizer.hpp"
#include "test_util.hpp"

namespace dsmath::test {

// The 100 questions "What is a plus b?" (a, b < 10) split for train and held-out sets that
// share no question: held-out are the 30 with (a + 3b) mod 10 < 3 (3 values of b for every a),
// training the other 70. `any` draws from all 100 (tests that hold nothing out).
enum class Split { any, train, heldout };

inline bool is_heldout_question(int a, int b) { return (a + 3 * b) % 10 < 3; }

inline std::pair<int, int> arithmetic_operands(Rng& rng, Split split = Split::any) {
  while (true) {
    const int a = static_cast<int>(rng.below(10)), b = static_cast<int>(rng.below(10));
    if (split == Split::any || is_heldout_question(a, b) == (split == Split::heldout)) return {a, b};
  }
}

// "What is 3 plus 4?" -> "3 plus 4 is 7. The answer is 7."
inline std::pair<std::string, std::string> arithmetic_pair_of(int a, int b) {
  return {"What is " + std::to_string(a) + " plus " + std::to_string(b) + "?",
          std::to_string(a) + " plus " + std::to_string(b) + " is " + std::to_string(a + b) + ". The answer is " +
              std::to_string(a + b) + "."};
}

inline std::pair<std::string, std::string> arithmetic_pair(Rng& rng, Split split = Split::any) {
  const auto [a, b] = arithmetic_operands(rng, split);
  return arithmetic_pair_of(a, b);
}

// tokenizer.json + tokenizer_config.json trained on the arithmetic texts, in dir/tok.
inline std::filesystem::path tiny_tokenizer(const std::filesystem::path& dir) {
  BpeTrainerOptions o;
  o.vocab_size = 300;
  o.n_threads = 1;
  BpeTrainer trainer(o);
  Rng rng(1);
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) {
    auto [q, a] = arithmetic_pair(rng);
    texts.push_back("User: " + q + "\n\nAssistant: " + a);
  }
  trainer.add_texts(texts);
  const TrainedTokenizer t = trainer.train();
  const auto out = dir / "tok";
  std::filesystem::create_directories(out);
  write_file_atomic(out / "tokenizer.json", t.tokenizer_json);
  write_file_atomic(out / "tokenizer_config.json", t.tokenizer_config_json);
  return out;
}

// A random-init base model directory with the tokenizer beside it.
inline std::filesystem::path tiny_base_model(const std::filesystem::path& dir, const std::filesystem::path& tokenizer_dir,
                                             int dim = 32) {
  const Tokenizer tok = Tokenizer::load(tokenizer_dir);
  ModelConfig c;
  c.vocab_size = static_cast<int>(tok.vocab_size());
  c.dim = dim;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.ffn_dim = 2 * dim;
  c.max_seq_len = 128;
  CpuBackend backend(1);
  Transformer m(c, backend, {false});
  const auto weights = m.init_parameters(7);
  const auto out = dir / "base";
  std::filesystem::create_directories(out);
  write_hf_model(out, c, weights, DType::f32);
  write_file_atomic(out / "tokenizer.json", read_file(tokenizer_dir / "tokenizer.json"));
  write_file_atomic(out / "tokenizer_config.json", read_file(tokenizer_dir / "tokenizer_config.json"));
  return out;
}

inline std::filesystem::path arithmetic_sft_file(const std::filesystem::path& dir, int n, uint64_t seed = 2,
                                                 Split split = Split::any) {
  const auto path = dir / "sft.jsonl";
  std::ofstream f(path);
  Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    auto [q, a] = arithmetic_pair(rng, split);
    Json j = i % 2 == 0 ? Json{{"messages", {{{"role", "user"}, {"content", q}}, {{"role", "assistant"}, {"content", a}}}}}
                        : Json{{"prompt", q}, {"response", a}};
    f << j.dump() << "\n";
  }
  return path;
}

}  // namespace dsmath::test
