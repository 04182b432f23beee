#include <catch2/catch.hpp>

#include <fstream>

#include "config/doc_writer.hpp"
#include "config/load.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::config;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

enum class Schedule { constant, cosine };

struct Inner {
  int dim = 64;
  double eps = 1e-5;
  template <class V>
  void visit(V& v) {
    v("dim", dim, "width", Check().at_least(1));
    v("eps", eps, "epsilon", Check().greater_than(0));
  }
  void validate() const {
    if (dim % 2 != 0) fail_hint("use an even dim", "dim ({}) must be even", dim);
  }
};

struct Source {
  std::string path;
  double weight = 1.0;
  template <class V>
  void visit(V& v) {
    v("path", path, "shard glob", Check().required().nonempty());
    v("weight", weight, "sampling weight", Check().greater_than(0));
  }
};

struct Root {
  std::string name = "run";
  bool verbose = false;
  int64_t steps = 100;
  uint64_t tokens = 0;
  Schedule schedule = Schedule::constant;
  std::string device = "cpu";
  std::vector<double> betas{0.9, 0.95};
  std::optional<int> seed;
  Inner model;
  std::vector<Source> sources;
  template <class V>
  void visit(V& v) {
    v("name", name, "run name", Check().nonempty());
    v("verbose", verbose, "log more");
    v("steps", steps, "optimizer steps", Check().at_least(1));
    v("tokens", tokens, "token budget");
    v("schedule", schedule, "LR schedule");
    v("device", device, "where to run", Check().one_of({"cpu", "cuda"}));
    v("betas", betas, "Adam betas");
    v("seed", seed, "seed or null");
    v("model", model, "model shape");
    v("sources", sources, "data sources");
  }
};

}  // namespace

template <>
struct dsmath::config::EnumNames<Schedule> {
  static constexpr std::array<std::pair<Schedule, std::string_view>, 2> values{
      {{Schedule::constant, "constant"}, {Schedule::cosine, "cosine"}}};
};

namespace {

fs::path write_yaml(const std::string& name, const std::string& text) {
  static auto dir = test::temp_dir("config");
  auto p = dir / name;
  std::ofstream(p) << text;
  return p;
}

Root load(const std::string& yaml, std::vector<std::string> sets = {}) {
  return load_config<Root>(ConfigSources{write_yaml("c.yaml", yaml), std::move(sets)});
}

std::string error_of(const std::string& yaml, std::vector<std::string> sets = {}) {
  try {
    load(yaml, std::move(sets));
  } catch (const Error& e) {
    return std::string(e.what()) + " | hint: " + e.hint();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a valid config binds every type and keeps defaults", "[config]") {
  Root r = load(
      "name: exp1\nverbose: true\nsteps: 5e3\nschedule: cosine\nbetas: [0.8, 0.99]\nseed: 7\n"
      "model:\n  dim: 128\nsources:\n  - path: a/*.bin\n  - path: b/*.bin\n    weight: 0.25\n");
  CHECK(r.name == "exp1");
  CHECK(r.verbose);
  CHECK(r.steps == 5000);
  CHECK(r.schedule == Schedule::cosine);
  CHECK(r.betas == std::vector<double>{0.8, 0.99});
  CHECK(r.seed == 7);
  CHECK(r.model.dim == 128);
  CHECK(r.model.eps == 1e-5);  // default kept
  REQUIRE(r.sources.size() == 2);
  CHECK(r.sources[1].weight == 0.25);
  CHECK(r.device == "cpu");
}

TEST_CASE("overrides apply in order and reach nested keys and list elements", "[config]") {
  Root r = load("sources:\n  - path: a\n", {"model.dim=256", "steps=10", "steps=20", "sources.0.weight=3",
                                             "betas=[0.5, 0.6]", "seed=null"});
  CHECK(r.model.dim == 256);
  CHECK(r.steps == 20);
  CHECK(r.sources[0].weight == 3.0);
  CHECK(r.betas == std::vector<double>{0.5, 0.6});
  CHECK(!r.seed.has_value());
}

TEST_CASE("a string in place of a mapping loads that file relative to the config", "[config]") {
  write_yaml("inner.yaml", "dim: 32\neps: 1e-6\n");
  Root r = load("model: inner.yaml\n");
  CHECK(r.model.dim == 32);
  CHECK(r.model.eps == 1e-6);
  // errors inside the included file name that file
  write_yaml("bad_inner.yaml", "dim: 32\nepz: 1\n");
  CHECK_THAT(error_of("model: bad_inner.yaml\n"), Contains("bad_inner.yaml:2:1") && Contains("model.epz"));
}

TEST_CASE("bad configs fail with file, line, key and a hint", "[config]") {
  // 1. unknown key, with did-you-mean
  CHECK_THAT(error_of("name: x\nstepz: 3\n"),
             Contains("c.yaml:2:1") && Contains("unknown key 'stepz'") && Contains("did you mean 'steps'"));
  // 2. wrong type: string for an integer
  CHECK_THAT(error_of("steps: many\n"), Contains("c.yaml:1:8") && Contains("steps: expected integer, got 'many'"));
  // 3. fractional value for an integer
  CHECK_THAT(error_of("steps: 1.5\n"), Contains("steps: expected integer"));
  // 4. out of range
  CHECK_THAT(error_of("model:\n  dim: 0\n"), Contains("c.yaml:2:8") && Contains("model.dim") && Contains("must be >= 1"));
  // 5. exclusive bound
  CHECK_THAT(error_of("model:\n  eps: 0\n"), Contains("must be > 0"));
  // 6. negative for an unsigned field
  CHECK_THAT(error_of("tokens: -5\n"), Contains("tokens") && Contains("negative"));
  // 7. bad enum name, with did-you-mean
  CHECK_THAT(error_of("schedule: cosin\n"), Contains("'cosin' is not one of: constant, cosine") && Contains("did you mean 'cosine'"));
  // 8. string not in the allowed set
  CHECK_THAT(error_of("device: gpu\n"), Contains("device") && Contains("one of: cpu, cuda"));
  // 9. mapping where a scalar is expected
  CHECK_THAT(error_of("steps:\n  a: 1\n"), Contains("steps: expected integer, got a mapping"));
  // 10. scalar where a list is expected
  CHECK_THAT(error_of("betas: 0.9\n"), Contains("betas: expected list of numbers"));
  // 11. missing required key inside a list element
  CHECK_THAT(error_of("sources:\n  - weight: 2\n"), Contains("missing required key 'sources.0.path'"));
  // 12. malformed YAML
  CHECK_THAT(error_of("model:\n  dim: [1, 2\n"), Contains("c.yaml:") && Contains("malformed YAML"));
  // 13. duplicate key
  CHECK_THAT(error_of("steps: 1\nsteps: 2\n"), Contains("appears more than once"));
  // 14. cross-field validation names the section and location
  CHECK_THAT(error_of("model:\n  dim: 33\n"), Contains("c.yaml:2:3: model: dim (33) must be even") && Contains("use an even dim"));
  // 15. unknown override path, with did-you-mean over dotted paths
  CHECK_THAT(error_of("", {"model.dimm=3"}), Contains("--set model.dimm=3: unknown key") && Contains("did you mean 'model.dim'"));
  // 16. override without '='
  CHECK_THAT(error_of("", {"steps"}), Contains("--set steps: expected KEY=VALUE"));
  // 17. bad override value names the override
  CHECK_THAT(error_of("", {"steps=abc"}), Contains("--set steps=abc: steps: expected integer, got 'abc'"));
  // 18. boolean spelled wrong
  CHECK_THAT(error_of("verbose: maybe\n"), Contains("verbose: expected boolean"));
  // 19. non-finite number
  CHECK_THAT(error_of("model:\n  eps: .nan\n"), Contains("model.eps"));
  // 20. included file missing
  CHECK_THAT(error_of("model: nowhere.yaml\n"), Contains("nowhere.yaml") && Contains("does not exist"));
  // 21. config file missing
  CHECK_THROWS_WITH(load_config<Root>(ConfigSources{fs::path("/no/such/file.yaml"), {}}),
                    Contains("/no/such/file.yaml") && Contains("does not exist"));
  // 22. a misspelt required key is reported as unknown (with the suggestion), not as missing
  CHECK_THAT(error_of("sources:\n  - pth: x\n"), Contains("unknown key 'sources.0.pth'") && Contains("did you mean 'path'"));
  // 23. top level not a mapping
  CHECK_THAT(error_of("- a\n- b\n"), Contains("expected a mapping"));
}

TEST_CASE("printed config reloads to the same values", "[config]") {
  Root r = load("model:\n  dim: 96\n  eps: 0.1\nsources:\n  - path: x\n    weight: 0.3\n", {"schedule=cosine"});
  std::string text = to_yaml_text(r);
  CHECK_THAT(text, Contains("schedule: cosine"));
  Root again = load(text);
  CHECK(to_yaml_text(again) == text);
  CHECK(again.model.eps == 0.1);
  CHECK(again.sources[0].weight == 0.3);
}

TEST_CASE("reference docs list every key with its default and constraint", "[config]") {
  std::string md = markdown_reference<Root>();
  CHECK_THAT(md, Contains("| `model.dim` | integer | `64` | >= 1 | width |"));
  CHECK_THAT(md, Contains("`schedule`") && Contains("constant, cosine"));
  CHECK_THAT(md, Contains("`sources[].path`") && Contains("**required**"));
}
