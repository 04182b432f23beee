// Hugging Face interop: models saved by transformers load here and give the same logits; what
// dsmath saves loads in transformers (checked when python with torch+transformers is present).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "backend/cpu/cpu_backend.hpp"
#include "core/files.hpp"
#include "core/json.hpp"
#include "io/hf_model.hpp"
#include "model/transformer.hpp"
#include "reference.hpp"
#include "test_util.hpp"
#include "tiny_model_config.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
const fs::path kGolden = test::source_dir() / "tests" / "io" / "golden";

// Whether the reference interpreter has torch and transformers: a skip on a developer's machine,
// a failure in CI (tests/reference.hpp).
bool have_transformers() {
  static const bool available =
      test::run_command(test::reference_python() + " -c 'import torch, transformers' 2>&1").exit_code == 0;
  return test::reference_present(available, "python packages `torch` and `transformers` (scripts/setup_reference.sh)");
}

// Logits at every position of `ids`, each from a prefill of the prefix (no cache reuse).
std::vector<std::vector<float>> all_logits(Transformer& m, const std::vector<int32_t>& ids) {
  KvCache cache(m.backend(), m.config(), 1, static_cast<int>(ids.size()));
  std::vector<std::vector<float>> out;
  std::vector<float> logits;
  for (size_t n = 1; n <= ids.size(); ++n) {
    std::vector<int32_t> prefix(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(n));
    m.forward_with_cache({1, static_cast<int>(n), prefix, {static_cast<int32_t>(n)}, {0}, {0}}, cache, logits);
    out.push_back(logits);
  }
  return out;
}

double max_relative_error(const std::vector<std::vector<float>>& ours, const Json& ref) {
  double worst = 0;
  for (size_t t = 0; t < ours.size(); ++t) {
    double diff = 0, norm = 0;
    for (size_t v = 0; v < ours[t].size(); ++v) {
      const double r = ref[t][v].get<double>();
      diff += (ours[t][v] - r) * (ours[t][v] - r);
      norm += r * r;
    }
    worst = test::worse(worst, std::sqrt(diff / norm));
  }
  return worst;
}
}  // namespace

TEST_CASE("transformers-made models load and reproduce their logits", "[io]") {
  CpuBackend backend(1);
  for (const char* name : {"tiny-llama-gqa", "tiny-llama-tied"}) {
    INFO(name);
    const fs::path dir = kGolden / name;
    const ModelConfig c = read_hf_config(dir);
    CHECK(c.vocab_size == 64);
    Transformer m(c, backend, {false});
    m.set_parameters(read_hf_weights(dir, c));
    const Json golden = Json::parse(read_file(dir / "golden_logits.json"));
    const auto ids = golden["input_ids"].get<std::vector<int32_t>>();
    CHECK(max_relative_error(all_logits(m, ids), golden["logits"]) < 1e-4);
  }
  CHECK(read_hf_config(kGolden / "tiny-llama-gqa").n_kv_heads == 2);
  CHECK(read_hf_config(kGolden / "tiny-llama-tied").tie_embeddings);
}

TEST_CASE("mismatched or damaged model directories are clear errors", "[io]") {
  auto dir = test::temp_dir("hf_bad");
  const fs::path src = kGolden / "tiny-llama-gqa";
  for (const auto& e : fs::directory_iterator(src)) fs::copy_file(e.path(), dir / e.path().filename());
  // a config that disagrees with the weights
  Json cfg = Json::parse(read_file(dir / "config.json"));
  cfg["intermediate_size"] = 96;
  write_file_atomic(dir / "config.json", cfg.dump());
  CHECK_THROWS_WITH(read_hf_weights(dir, read_hf_config(dir)),
                    Contains("model.layers.0.mlp.gate_proj.weight") && Contains("shape 80x32") && Contains("96x32"));
  cfg["model_type"] = "mistral";
  write_file_atomic(dir / "config.json", cfg.dump());
  CHECK_THROWS_WITH(read_hf_config(dir), Contains("model_type 'mistral' is not supported"));
  CHECK_THROWS_WITH(read_hf_config(dir / "nowhere"), Contains("has no config.json"));
}

TEST_CASE("what dsmath writes loads in transformers with the same logits", "[io]") {
  if (!have_transformers()) return;
  CpuBackend backend(1);
  ModelConfig c = test::model_shape(50, 24, 2, 6, 3, 40);
  c.max_seq_len = 32;
  c.init_std = 0.2;
  Transformer m(c, backend, {false});
  const auto weights = m.init_parameters(11);
  auto dir = test::temp_dir("hf_export");
  write_hf_model(dir, c, weights, DType::f32);
  const std::vector<int32_t> ids{3, 14, 15, 9, 26, 5, 35, 8};
  const std::string script =
      "import json,sys,torch\nfrom transformers import LlamaForCausalLM\n"
      "m=LlamaForCausalLM.from_pretrained(sys.argv[1],torch_dtype=torch.float32,attn_implementation='eager').eval()\n"
      "ids=json.loads(sys.argv[2])\n"
      "with torch.no_grad(): print('LOGITS:' + json.dumps(m(torch.tensor([ids])).logits[0].tolist()))\n";
  std::ofstream(dir / "check.py") << script;
  Json ids_json = ids;
  const auto r = test::run_command(test::reference_python() + " " + (dir / "check.py").string() + " " + dir.string() + " '" + ids_json.dump() + "'");
  REQUIRE(r.exit_code == 0);
  const auto marker = r.output.rfind("LOGITS:");
  REQUIRE(marker != std::string::npos);
  const Json ref = Json::parse(r.output.substr(marker + 7));
  CHECK(max_relative_error(all_logits(m, ids), ref) < 1e-4);
}

TEST_CASE("a reward model dsmath writes loads in transformers as LlamaForSequenceClassification", "[io]") {
  if (!have_transformers()) return;
  CpuBackend backend(1);
  ModelConfig c = test::model_shape(40, 16, 2, 4, 2, 24);
  c.max_seq_len = 32;
  c.init_std = 0.3;
  c.head = ModelHead::scalar;
  Transformer m(c, backend, {false});
  const auto dir = test::temp_dir("hf_rm_export");
  write_hf_model(dir, c, m.init_parameters(12), DType::f32);
  const std::vector<int32_t> ids{3, 14, 15, 9, 26, 5};
  TokenBatch b;
  b.resize(1, static_cast<int>(ids.size()));
  b.tokens = ids;
  m.forward(b, false);
  const double ours = m.logprobs().back();  // the value at the last token
  std::ofstream(dir / "check.py") << "import json,sys,torch\nfrom transformers import LlamaForSequenceClassification\n"
                                     "m=LlamaForSequenceClassification.from_pretrained(sys.argv[1],torch_dtype=torch.float32,"
                                     "attn_implementation='eager').eval()\n"
                                     "with torch.no_grad(): print('SCORE:' + str(m(torch.tensor([json.loads(sys.argv[2])])).logits[0,0].item()))\n";
  Json ids_json = ids;
  const auto r = test::run_command(test::reference_python() + " " + (dir / "check.py").string() + " " + dir.string() + " '" + ids_json.dump() + "'");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const double theirs = std::stod(r.output.substr(r.output.rfind("SCORE:") + 6));
  CHECK(ours == Approx(theirs).epsilon(1e-4));
}
