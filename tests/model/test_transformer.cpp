#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "model_gradcheck.hpp"
#include "model/transformer.hpp"
#include "tiny_model_config.hpp"

using namespace dsmath;
using namespace dsmath::test;

namespace {
ModelConfig tiny_config() {
  ModelConfig c = model_shape(37, 16, 2, 4, 2, 24);  // 2 kv heads for 4: GQA
  c.max_seq_len = 16;
  c.init_std = 0.3;  // large enough that every path carries gradient
  return c;
}

TokenBatch random_batch(int B, int T, int vocab, uint64_t seed) {
  Rng rng(seed);
  TokenBatch b;
  b.resize(B, T);
  for (auto& t : b.tokens) t = static_cast<int32_t>(rng.below(vocab));
  for (size_t i = 0; i < b.targets.size(); ++i) b.targets[i] = (i % 5 == 3) ? -1 : static_cast<int32_t>(rng.below(vocab));
  return b;
}

double mean_nll(Transformer& m, const TokenBatch& b) {
  m.forward(b, false);
  double s = 0;
  for (float lp : m.logprobs()) s -= lp;
  return s / static_cast<double>(b.count_targets());
}

std::vector<float> nll_grad(const TokenBatch& b) {
  std::vector<float> d(b.targets.size());
  const double n = static_cast<double>(b.count_targets());
  for (size_t i = 0; i < d.size(); ++i) d[i] = b.targets[i] >= 0 ? static_cast<float>(-1.0 / n) : 0.0f;
  return d;
}
}  // namespace

TEST_CASE("parameter layout uses HF names and the DeepSeekMath 7B count", "[model]") {
  ModelConfig c = model_shape(102400, 4096, 30, 32, 32, 11008);
  c.max_seq_len = 4096;
  // 30 * (2*4096 + 4*4096^2 + 3*4096*11008) + 2*102400*4096 + 4096 = 6,910,365,696
  CHECK(c.num_parameters() == 6910365696LL);
  ParameterLayout layout(c);
  CHECK(layout.get("model.layers.29.mlp.down_proj.weight").shape == std::vector<int64_t>{4096, 11008});
  CHECK(layout.get("lm_head.weight").numel == 102400LL * 4096);
  int64_t sum = 0;
  for (const auto& t : layout.tensors()) sum += t.numel;
  CHECK(sum == c.num_parameters());
  // q, k, v adjacent: one fused GEMM
  const auto& q = layout.get("model.layers.0.self_attn.q_proj.weight");
  CHECK(layout.get("model.layers.0.self_attn.k_proj.weight").offset == q.offset + q.numel);
  CHECK(!layout.get("model.norm.weight").weight_decay);
}

TEST_CASE("whole-model gradient matches finite differences, at logit temperature 1 and 0.5", "[model]") {
  CpuBackend backend(2);
  ModelConfig c = tiny_config();
  Transformer m(c, backend);
  m.init_parameters(1);
  TokenBatch b = random_batch(2, 6, c.vocab_size, 2);
  const double nll_at_1 = mean_nll(m, b);
  for (const double temperature : {1.0, 0.5}) {
    INFO("temperature " << temperature);
    // RL scores softmax(logits / T) (Transformer::set_logit_temperature)
    m.set_logit_temperature(temperature);
    if (temperature != 1.0) CHECK(std::fabs(mean_nll(m, b) - nll_at_1) > 1e-3);  // another distribution
    m.zero_grads();
    m.forward(b, true);
    m.backward(nll_grad(b));
    auto grads = m.get_grads();
    auto params = m.get_parameters();
    // every tensor, a few entries each
    CHECK(model_gradient_error(m, params, grads, [&] { return mean_nll(m, b); }, 6, 3) < 5e-3);
  }
}

TEST_CASE("recomputed activations and chunked heads give the same gradients", "[model]") {
  CpuBackend backend(2);
  ModelConfig c = tiny_config();
  TokenBatch b = random_batch(3, 8, c.vocab_size, 4);
  auto run = [&](TransformerOptions o) {
    Transformer m(c, backend, o);
    m.init_parameters(5);
    m.forward(b, true);
    std::vector<float> lp(m.logprobs().begin(), m.logprobs().end());
    m.backward(nll_grad(b));
    return std::pair{lp, m.get_grads()};
  };
  auto [lp0, g0] = run({});
  auto [lp1, g1] = run({true, true, 4096});
  auto [lp2, g2] = run({true, false, 5});  // 24 tokens in chunks of 5
  CHECK(lp0 == lp1);
  CHECK(g0 == g1);
  CHECK(relative_error(pick<float>(lp0), pick<float>(lp2)) < 1e-6);
  CHECK(relative_error(pick<float>(g0), pick<float>(g2)) < 1e-5);
}

TEST_CASE("segments isolate packed documents", "[model]") {
  CpuBackend backend(1);
  ModelConfig c = tiny_config();
  Transformer m(c, backend, {false});
  m.init_parameters(6);
  TokenBatch b = random_batch(1, 8, c.vocab_size, 7);
  b.segments = {0, 0, 0, 1, 1, 1, 1, 1};
  b.positions = {0, 1, 2, 0, 1, 2, 3, 4};
  m.forward(b, false);
  std::vector<float> before(m.logprobs().begin(), m.logprobs().end());
  TokenBatch changed = b;
  changed.tokens[0] = (b.tokens[0] + 1) % c.vocab_size;  // edit the first document
  changed.tokens[2] = (b.tokens[2] + 3) % c.vocab_size;
  m.forward(changed, false);
  for (int i = 3; i < 8; ++i) CHECK(m.logprobs()[i] == before[i]);  // second document unaffected
  // and the second document alone, at the same positions, gives the same log-probs
  TokenBatch alone;
  alone.resize(1, 5);
  for (int i = 0; i < 5; ++i) {
    alone.tokens[i] = b.tokens[3 + i];
    alone.targets[i] = b.targets[3 + i];
  }
  m.forward(alone, false);
  for (int i = 0; i < 5; ++i) CHECK(m.logprobs()[i] == Approx(before[3 + i]).epsilon(1e-5));
}

TEST_CASE("bad token ids are errors that name the id", "[model]") {
  CpuBackend backend(1);
  ModelConfig c = tiny_config();
  Transformer m(c, backend, {false});
  TokenBatch b = random_batch(1, 4, c.vocab_size, 8);
  b.tokens[2] = 37;
  CHECK_THROWS_WITH(m.forward(b, false), Catch::Contains("token id 37") && Catch::Contains("[0, 37)"));
  TokenBatch long_batch = random_batch(1, 17, c.vocab_size, 9);
  CHECK_THROWS_WITH(m.forward(long_batch, false), Catch::Contains("max_seq_len 16"));
}

TEST_CASE("a scalar head (reward model) has HF's score layout and exact gradients", "[model]") {
  CpuBackend backend(1);
  ModelConfig c = tiny_config();
  c.head = ModelHead::scalar;
  Transformer m(c, backend);
  CHECK(m.layout().find("lm_head.weight") == nullptr);
  CHECK(m.layout().get("score.weight").shape == std::vector<int64_t>{1, c.dim});
  CHECK(c.to_hf_config()["architectures"][0] == "LlamaForSequenceClassification");
  CHECK(ModelConfig::from_hf_config(c.to_hf_config(), "test").head == ModelHead::scalar);
  auto params = m.init_parameters(2);
  TokenBatch b = random_batch(2, 5, c.vocab_size, 3);
  auto dvalues = test::random_vector(static_cast<size_t>(b.size()), 4);  // d loss / d value at every position
  m.zero_grads();
  m.forward(b, true);
  m.backward(dvalues);
  auto grads = m.get_grads();
  auto loss = [&] {
    m.forward(b, false);
    return test::weighted_sum(m.logprobs(), dvalues);
  };
  CHECK(test::model_gradient_error(m, params, grads, loss, 6, 5) < 5e-3);
}

TEST_CASE("backward announces each gradient range once, when it is final", "[model]") {
  CpuBackend backend(1);
  for (const bool tied : {false, true}) {
    ModelConfig c = tiny_config();
    c.n_layers = 3;
    c.tie_embeddings = tied;
    Transformer m(c, backend);
    m.init_parameters(3);
    const TokenBatch b = random_batch(2, 6, c.vocab_size, 8);
    m.zero_grads();
    m.forward(b, true);
    // what each range holds when it is announced must be what it holds after backward
    std::vector<std::pair<int64_t, int64_t>> ranges;
    std::vector<std::vector<float>> at_announcement;
    m.backward(nll_grad(b), [&](int64_t begin, int64_t end) {
      ranges.emplace_back(begin, end);
      const auto all = m.get_grads();
      at_announcement.emplace_back(all.begin() + begin, all.begin() + end);
    });
    INFO("tied head: " << tied);
    REQUIRE(ranges.size() == static_cast<size_t>(c.n_layers) + 2);  // head, layers last to first, embeddings
    const auto final_grads = m.get_grads();
    std::vector<int> covered(final_grads.size(), 0);
    for (size_t r = 0; r < ranges.size(); ++r) {
      const auto [begin, end] = ranges[r];
      for (int64_t i = begin; i < end; ++i) ++covered[static_cast<size_t>(i)];
      CHECK(at_announcement[r] == std::vector<float>(final_grads.begin() + begin, final_grads.begin() + end));
    }
    CHECK(std::all_of(covered.begin(), covered.end(), [](int n) { return n == 1; }));
    CHECK(ranges.front().second == m.layout().total());  // the head's range first
    CHECK(ranges.back().first == 0);                     // the embeddings last
  }
}

TEST_CASE("growing the flat buffers for equal shards keeps weights and gradients", "[model]") {
  CpuBackend backend(1);
  const ModelConfig c = tiny_config();
  Transformer m(c, backend);
  m.init_parameters(4);
  const TokenBatch b = random_batch(2, 6, c.vocab_size, 9);
  m.zero_grads();
  m.forward(b, true);
  m.backward(nll_grad(b));
  const auto params = m.get_parameters(), grads = m.get_grads();
  m.reserve_flat(m.layout().total() + 300);
  CHECK(m.get_parameters() == params);
  CHECK(m.get_grads() == grads);
  // the padding is zero and outside every parameter
  const float* tail = m.params().as<float>() + m.layout().total();
  CHECK(std::all_of(tail, tail + 300, [](float v) { return v == 0.0f; }));
  // training goes on as before on the grown buffers
  m.zero_grads();
  m.forward(b, true);
  m.backward(nll_grad(b));
  CHECK(m.get_grads() == grads);
}
