// The stages on the CUDA backend beside the CPU backend: batched greedy generation with the KV
// cache (prefill, cache writes, decode attention) gives the CPU engine's tokens, and decode steps
// replayed from CUDA graphs give the tokens and log-probs of the same steps launched op by op; SFT steps give
// the CPU's losses; a GRPO step (rollouts, rewards, the policy update) runs and stays finite.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "config/load.hpp"
#include "gpu_test_util.hpp"
#include "infer/generation_engine.hpp"
#include "infer/model_bundle.hpp"
#include "train/pretrain.hpp"
#include "train/pretrain_fixture.hpp"
#include "train/sft_fixture.hpp"

using namespace dsmath;
using namespace dsmath::test;

namespace {
// A tiny model pretrained (on the CPU) on a corpus that repeats one phrase: token (7 i + 3) mod 64
// at position i.
fs::path phrase_checkpoint(const std::string& name) {
  auto dir = temp_dir(name);
  std::vector<std::string> overrides = gpu_fixture_shape();
  overrides.insert(overrides.end(), {"runtime.device=cpu", "train.max_steps=60", "checkpoint.every_steps=60"});
  const auto cfg = config::load_config<PretrainConfig>({tiny_pretrain_config(dir, repetitive_shard(dir)), overrides});
  run_pretrain(cfg, {dir / "run", false});
  return dir / "run" / "checkpoints" / "step-0000060";
}
}  // namespace

TEST_CASE("gpu greedy generation with the KV cache gives the CPU engine's tokens", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  const auto checkpoint = phrase_checkpoint("gpu_generate");
  // Prefixes of the phrase the corpus repeats, so that
  // every greedy choice is a confident one: 16 new tokens from these stay inside the phrase.
  // Prompts of different lengths batch a prefill with padding; 4 requests on 3 cache slots make
  // one wait for a slot to be refilled.
  const std::vector<GenerationRequest> requests = {{{3, 10}}, {{3, 10, 17, 24, 31}}, {{38, 45}}, {{3}}};
  SamplingConfig greedy;
  greedy.max_new_tokens = 16;
  CpuBackend cpu(1);
  auto gpu = make_gpu();
  std::vector<std::vector<int32_t>> tokens[2];
  Backend* backends[2] = {&cpu, gpu.get()};
  for (int b = 0; b < 2; ++b) {
    ModelBundle bundle = load_model_bundle(checkpoint, *backends[b], "", false);
    GenerationEngine engine(*bundle.model, 3, 40);
    for (const Generation& g : engine.generate(requests, greedy, {})) tokens[b].push_back(g.tokens);
  }
  // the model has learned the phrase (the CPU's continuation of "3 10" is 17 24 31 ...)
  REQUIRE(tokens[0][0].size() == 16);
  CHECK(tokens[0][0][0] == 17);
  CHECK(tokens[0][0][1] == 24);
  CHECK(tokens[1] == tokens[0]);
}

TEST_CASE("gpu decode steps replayed from captured graphs give the uncaptured steps' tokens", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  const auto checkpoint = phrase_checkpoint("gpu_generate_graphs");
  // Prompts of 1 to 7 tokens in a context of 20: each request ends when it fills the context, so
  // the decode batch shrinks from 7 rows to 1 a row at a time, through the padded shapes 8, 4, 2
  // and 1, each captured at its second step and replayed after. Seven requests on 6 slots also
  // refill a slot between decode steps (a prefill that may grow the activations).
  std::vector<GenerationRequest> requests;
  for (int len = 1; len <= 7; ++len) {
    GenerationRequest r;
    for (int i = 0; i < len; ++i) r.prompt.push_back((7 * i + 3) % 64);
    requests.push_back(r);
  }
  SamplingConfig sampled;
  sampled.temperature = 3.0;
  sampled.max_new_tokens = 32;
  sampled.seed = 5;
  SamplingConfig greedy;
  greedy.max_new_tokens = 32;
  auto gpu = make_gpu();
  ModelBundle bundle = load_model_bundle(checkpoint, *gpu, "", false);
  std::vector<Generation> runs[2][2];  // [captured][sampled]
  GenerationEngine::Stats stats[2];
  for (int captured = 0; captured < 2; ++captured) {
    GenerationEngine engine(*bundle.model, 6, 20);
    engine.set_capture(captured == 1);
    runs[captured][0] = engine.generate(requests, greedy, {});
    runs[captured][1] = engine.generate(requests, sampled, {});
    stats[captured] = engine.stats();
  }
  CHECK(stats[0].replayed_steps == 0);
  CHECK(stats[1].captures >= 4);
  CHECK(stats[1].replayed_steps >= stats[1].decode_steps / 2);
  CHECK(stats[1].decode_steps == stats[0].decode_steps);
  for (int mode = 0; mode < 2; ++mode)
    for (size_t i = 0; i < requests.size(); ++i) {
      INFO("request " << i << (mode ? " sampled" : " greedy"));
      CHECK(runs[1][mode][i].tokens.size() + requests[i].prompt.size() == 20);
      CHECK(runs[1][mode][i].tokens == runs[0][mode][i].tokens);
      CHECK(runs[1][mode][i].logprobs == runs[0][mode][i].logprobs);
    }
  // the padded rows change nothing: greedy tokens equal the CPU engine's (which never pads)
  CpuBackend cpu(1);
  ModelBundle cpu_bundle = load_model_bundle(checkpoint, cpu, "", false);
  GenerationEngine cpu_engine(*cpu_bundle.model, 6, 20);
  const std::vector<Generation> reference = cpu_engine.generate(requests, greedy, {});
  for (size_t i = 0; i < requests.size(); ++i) CHECK(runs[1][0][i].tokens == reference[i].tokens);
  // at temperature 3 the draw decides tokens (the equality above then shows that each replay
  // used that step's draw keys, not the captured step's)
  int differ = 0;
  for (size_t i = 0; i < requests.size(); ++i) differ += runs[1][1][i].tokens != runs[1][0][i].tokens;
  CHECK(differ >= 5);
}

namespace {
struct SftRun {
  fs::path dir, config;
};
SftRun sft_setup(const std::string& name) {
  SftRun r{temp_dir(name), {}};
  const auto tok = tiny_tokenizer(r.dir);
  const auto base = tiny_base_model(r.dir, tok, 64);  // 4 heads of 16
  arithmetic_sft_file(r.dir, 64);
  r.config = r.dir / "sft.yaml";
  std::ofstream(r.config) << "stage: sft\ninit: {from: " << base.string() << "}\n"
                          << "data: {train: [" << (r.dir / "sft.jsonl").string() << "], seq_len: 100}\n"
                          << "optim: {lr_peak: 3.0e-3, warmup_steps: 1}\n"
                          << "train: {micro_batch_size: 4, global_batch_size: 8, max_steps: 3, log_every: 1}\n"
                          << "checkpoint: {every_steps: 0}\nruntime: {device: cpu, threads: 1}\n";
  return r;
}
}  // namespace

TEST_CASE("gpu SFT steps give the CPU backend's losses", "[gpu][cli]") {
  DSMATH_SKIP_WITHOUT_GPU();
  const SftRun sft = sft_setup("gpu_sft");
  std::vector<std::vector<Json>> metrics;
  for (const char* device : {"cpu", "cuda"}) {
    const auto run = sft.dir / device;
    auto r = run_dsmath("sft -c " + sft.config.string() + " --set runtime.device=" + device + " --run-dir " + run.string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    metrics.push_back(read_metrics(run));
  }
  REQUIRE(metrics[0].size() == 3);
  REQUIRE(metrics[1].size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    const double cpu = metrics[0][i]["loss"].get<double>(), gpu = metrics[1][i]["loss"].get<double>();
    INFO("step " << i + 1 << ": cpu loss " << cpu << ", gpu loss " << gpu);
    CHECK(std::fabs(gpu - cpu) <= 0x1p-7 * std::fabs(cpu));  // as in the pretraining match
    CHECK(metrics[1][i]["grad_norm"].get<double>() == Approx(metrics[0][i]["grad_norm"].get<double>()).epsilon(0.05));
  }
}

TEST_CASE("gpu GRPO step: rollouts, rewards and the policy update run and stay finite", "[gpu][cli]") {
  DSMATH_SKIP_WITHOUT_GPU();
  const SftRun sft = sft_setup("gpu_grpo");
  {
    std::ofstream rl(sft.dir / "rl.jsonl");
    Rng rng(3);
    for (int i = 0; i < 8; ++i) {
      auto [q, a] = arithmetic_pair(rng);
      rl << Json{{"question", q}, {"answer", a.substr(a.find_last_of(' ') + 1, a.size() - a.find_last_of(' ') - 2)}}.dump()
         << "\n";
    }
  }
  REQUIRE(run_dsmath("sft -c " + sft.config.string() + " --run-dir " + (sft.dir / "sft").string()).exit_code == 0);
  const auto config = sft.dir / "grpo.yaml";
  std::ofstream(config) << "stage: grpo\ninit: {from: " << (sft.dir / "sft").string() << "}\n"
                        << "data: {train: [" << (sft.dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                        << "rollout: {questions_per_step: 2, group_size: 4, sampling: {max_new_tokens: 12}}\n"
                        << "optim: {lr_peak: 1.0e-4}\ntrain: {micro_batch_size: 8, max_steps: 2}\n"
                        << "checkpoint: {every_steps: 2}\nruntime: {device: cuda}\n";
  auto r = run_dsmath("grpo -c " + config.string() + " --run-dir " + (sft.dir / "grpo").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto metrics = read_metrics(sft.dir / "grpo");
  REQUIRE(metrics.size() == 2);
  for (const Json& m : metrics) {
    CHECK(std::isfinite(m["loss"].get<double>()));
    CHECK(m["reward_mean"].get<double>() >= 0.0);
    CHECK(m["reward_mean"].get<double>() <= 1.0);
  }
  CHECK(fs::exists(sft.dir / "grpo" / "checkpoints" / "step-0000002" / "model.safetensors"));
}
