#include <catch2/catch.hpp>

#include <omp.h>

#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "infer/generation_engine.hpp"
#include "test_util.hpp"
#include "tiny_model_config.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
ModelConfig tiny() {
  ModelConfig c = test::model_shape(41, 32, 2, 4, 2, 48);
  c.max_seq_len = 48;
  c.init_std = 0.5;  // a peaked, input-dependent distribution
  return c;
}

std::vector<GenerationRequest> prompts() {
  return {{{1, 5, 9}}, {{2}}, {{3, 4, 5, 6, 7, 8, 9, 10}}, {{11, 12}}, {{13, 14, 15, 16}}};
}

// log p(target) of each generated token from a plain training-style forward over prompt + completion
std::vector<float> rescored(Transformer& m, const std::vector<int32_t>& prompt, const Generation& g) {
  std::vector<int32_t> seq = prompt;
  seq.insert(seq.end(), g.tokens.begin(), g.tokens.end());
  TokenBatch b;
  b.resize(1, static_cast<int>(seq.size()) - 1);
  for (size_t i = 0; i + 1 < seq.size(); ++i) {
    b.tokens[i] = seq[i];
    b.targets[i] = i + 1 >= prompt.size() ? seq[i + 1] : -1;
  }
  m.forward(b, false);
  return {m.logprobs().begin() + static_cast<ptrdiff_t>(prompt.size()) - 1, m.logprobs().end()};
}
}  // namespace

TEST_CASE("sampled tokens' log-probs equal the training forward's at the sampling temperature", "[infer]") {
  CpuBackend backend(1);
  Transformer model(tiny(), backend, {false});
  model.init_parameters(3);
  GenerationEngine engine(model, 3);
  for (const double temperature : {1.0, 0.6}) {
    INFO("temperature " << temperature);
    SamplingConfig s;
    s.temperature = temperature;
    s.max_new_tokens = 12;
    auto reqs = prompts();
    auto gens = engine.generate(reqs, s, {});
    // what GRPO's trainer scores: the forward at the same temperature
    model.set_logit_temperature(temperature);
    for (size_t i = 0; i < reqs.size(); ++i) {
      REQUIRE(gens[i].tokens.size() == 12);
      auto ref = rescored(model, reqs[i].prompt, gens[i]);
      // 1e-4: the engine decodes one token at a time through the KV cache, the rescoring forward
      // takes the whole sequence, and OpenBLAS's kernel for the CPU may round the two GEMM shapes
      // differently (1.5e-5 apart on AMD EPYC); a temperature-1 forward is 1e-2 or more away (below).
      for (size_t k = 0; k < ref.size(); ++k) CHECK(gens[i].logprobs[k] == Approx(ref[k]).margin(1e-4));
    }
    // and a temperature-1 forward does not, below T = 1: the test can tell them apart
    if (temperature != 1.0) {
      model.set_logit_temperature(1.0);
      double differs = 0;
      auto ref = rescored(model, reqs[0].prompt, gens[0]);
      for (size_t k = 0; k < ref.size(); ++k) differs = test::worse(differs, std::fabs(double(gens[0].logprobs[k]) - ref[k]));
      CHECK(differs > 1e-2);
    }
    model.set_logit_temperature(1.0);
  }
}

TEST_CASE("KV-cached greedy decoding equals full recomputation at every step", "[infer]") {
  CpuBackend backend(1);
  ModelConfig c = tiny();
  Transformer model(c, backend, {false});
  model.init_parameters(4);
  GenerationEngine engine(model, 2);
  SamplingConfig greedy;
  greedy.max_new_tokens = 10;
  auto reqs = prompts();
  auto gens = engine.generate(reqs, greedy, {});
  KvCache fresh(backend, c, 1, c.max_seq_len);
  std::vector<float> logits;
  for (size_t i = 0; i < reqs.size(); ++i) {
    std::vector<int32_t> seq = reqs[i].prompt;
    for (size_t k = 0; k < gens[i].tokens.size(); ++k) {
      // recompute from scratch: a prefill of the whole prefix (no cached keys are read)
      CacheBatch b{1, static_cast<int>(seq.size()), seq, {static_cast<int32_t>(seq.size())}, {0}, {0}};
      if (seq.size() == 1) b.seq = 1;
      model.forward_with_cache(b, fresh, logits);
      const auto best = std::max_element(logits.begin(), logits.end()) - logits.begin();
      CHECK(gens[i].tokens[k] == best);
      double z = 0;
      for (float x : logits) z += std::exp(double(x) - logits[best]);
      CHECK(gens[i].logprobs[k] == Approx(-std::log(z)).margin(1e-5));
      seq.push_back(gens[i].tokens[k]);
    }
  }
}

TEST_CASE("decode padding rows write nothing to the cache and change no real row's logits", "[infer]") {
  CpuBackend backend(1);
  ModelConfig c = tiny();
  Transformer model(c, backend, {false});
  model.init_parameters(5);
  const int vocab = c.vocab_size;
  // two prompts in slots 0 and 2, one decode step (padded with two rows or not), then another
  auto run = [&](bool padded) {
    KvCache cache(backend, c, 3, c.max_seq_len);
    std::vector<float> logits, steps;
    model.forward_with_cache(CacheBatch{2, 3, {1, 5, 9, 2, 7, 0}, {3, 2}, {0, 0}, {0, 2}}, cache, logits);
    CacheBatch decode{2, 1, {4, 6}, {1, 1}, {3, 2}, {0, 2}};
    if (padded) {
      // a padding row attends to start >= 1 cached tokens of a slot and writes none: here the
      // position the first row writes in this very step, and a slot nobody uses
      decode.rows = 4;
      decode.tokens.insert(decode.tokens.end(), {0, 0});
      decode.n_new.insert(decode.n_new.end(), {0, 0});
      decode.start.insert(decode.start.end(), {3, 1});
      decode.slots.insert(decode.slots.end(), {0, 0});
    }
    model.forward_with_cache(decode, cache, logits);
    steps.insert(steps.end(), logits.begin(), logits.begin() + 2 * vocab);
    model.forward_with_cache(CacheBatch{2, 1, {8, 3}, {1, 1}, {4, 3}, {0, 2}}, cache, logits);
    steps.insert(steps.end(), logits.begin(), logits.end());
    return steps;
  };
  const std::vector<float> plain = run(false), padded = run(true);
  REQUIRE(plain.size() == static_cast<size_t>(4 * vocab));
  // equal up to the GEMM's rounding, which OpenBLAS may do differently for 2 and 4 rows (about
  // 5e-6 here; a padding row that wrote the cache would move the next step's logits by far more)
  double worst = 0;
  for (size_t i = 0; i < plain.size(); ++i) worst = test::worse(worst, std::abs(double(padded[i]) - plain[i]));
  CHECK(worst < 1e-4);
  // a row with no new token is padding only in a decode step
  KvCache cache(backend, c, 1, c.max_seq_len);
  std::vector<float> logits;
  CHECK_THROWS_WITH(model.forward_with_cache(CacheBatch{1, 2, {1, 2}, {0}, {0}, {0}}, cache, logits), Contains("new tokens"));
  CHECK_THROWS_WITH(model.forward_with_cache(CacheBatch{1, 1, {1}, {0}, {0}, {0}}, cache, logits), Contains("new tokens"));
}

TEST_CASE("generation is deterministic and independent of the batch it runs in", "[infer]") {
  CpuBackend backend(1);
  Transformer model(tiny(), backend, {false});
  model.init_parameters(5);
  SamplingConfig s;
  s.temperature = 0.8;
  s.top_p = 0.9;
  s.max_new_tokens = 9;
  auto reqs = prompts();
  GenerationEngine one(model, 1), four(model, 4);
  auto a = one.generate(reqs, s, {}), b = four.generate(reqs, s, {}), c = four.generate(reqs, s, {});
  for (size_t i = 0; i < reqs.size(); ++i) {
    CHECK(a[i].tokens == b[i].tokens);
    CHECK(b[i].tokens == c[i].tokens);
    CHECK(b[i].logprobs == c[i].logprobs);
  }
  // the rows of a step are sampled in parallel: 1 and 3 sampling threads give the same tokens
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  auto serial = four.generate(reqs, s, {});
  omp_set_num_threads(3);
  auto parallel = four.generate(reqs, s, {});
  omp_set_num_threads(threads);
  for (size_t i = 0; i < reqs.size(); ++i) {
    CHECK(serial[i].tokens == b[i].tokens);
    CHECK(parallel[i].tokens == b[i].tokens);
    CHECK(parallel[i].logprobs == b[i].logprobs);
  }
  s.seed = 99;  // another seed, another sample
  auto d = four.generate(reqs, s, {});
  int differ = 0;
  for (size_t i = 0; i < reqs.size(); ++i) differ += d[i].tokens != b[i].tokens;
  CHECK(differ > 0);
}

TEST_CASE("generation stops at EOS, at stop sequences, at the budget and at the context", "[infer]") {
  CpuBackend backend(1);
  ModelConfig c = tiny();
  Transformer model(c, backend, {false});
  model.init_parameters(6);
  GenerationEngine engine(model, 2, 20);
  SamplingConfig greedy;
  greedy.max_new_tokens = 30;
  std::vector<GenerationRequest> reqs{{{1, 2, 3}}};
  auto free_run = engine.generate(reqs, greedy, {});
  REQUIRE(free_run[0].tokens.size() == 17);  // the context of 20 ends it
  CHECK(free_run[0].finish == FinishReason::length);
  // EOS: declare the 5th generated token an EOS id; generation ends right there, EOS kept
  const int32_t eos = free_run[0].tokens[4];
  auto upto = std::find(free_run[0].tokens.begin(), free_run[0].tokens.end(), eos) - free_run[0].tokens.begin();
  auto e = engine.generate(reqs, greedy, std::vector<int32_t>{eos});
  CHECK(e[0].finish == FinishReason::eos);
  CHECK(static_cast<long>(e[0].tokens.size()) == upto + 1);
  // a stop check that fires after 6 tokens and keeps 4
  auto st = engine.generate(reqs, greedy, {}, [](size_t, std::span<const int32_t> g) { return g.size() == 6 ? 4 : -1; });
  CHECK(st[0].finish == FinishReason::stop);
  CHECK(st[0].tokens.size() == 4);
  CHECK(st[0].logprobs.size() == 4);
  greedy.max_new_tokens = 3;
  CHECK(engine.generate(reqs, greedy, {})[0].tokens.size() == 3);
  std::vector<GenerationRequest> too_long{{std::vector<int32_t>(20, 1)}};
  CHECK_THROWS_WITH(engine.generate(too_long, greedy, {}), Contains("request 0") && Contains("context of 20"));
  std::vector<GenerationRequest> empty{{{}}};
  CHECK_THROWS_WITH(engine.generate(empty, greedy, {}), Contains("empty prompt"));
}

TEST_CASE("batch 0 sizes the key/value cache from free memory", "[infer]") {
  CpuBackend backend(1);
  Transformer model(tiny(), backend, {false});
  model.init_parameters(8);
  GenerationEngine engine(model, 0, 0, 0.001);  // 0.1% of available memory still holds many slots of this model
  CHECK(engine.max_batch() >= 1);
  CHECK(engine.max_batch() <= 1024);
  SamplingConfig greedy;
  greedy.max_new_tokens = 4;
  CHECK(engine.generate(prompts(), greedy, {}).size() == prompts().size());
}
