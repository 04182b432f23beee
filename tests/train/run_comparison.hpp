#pragma once
// "Resumes exactly": an interrupted and resumed run against the uninterrupted one. Everything
// training computes must match bit for bit: each step's metrics (the printed doubles round-trip
// exactly), the final weights, the optimizer state and the trainer state (step, tokens, data
// cursor). Wall-clock fields (timestamps, speeds) are left out.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "core/files.hpp"
#include "core/json.hpp"
#include "io/checkpoint_store.hpp"
#include "test_util.hpp"

namespace dsmath::test {

inline void check_identical_runs(const std::filesystem::path& expected_run, const std::filesystem::path& run,
                                 int64_t final_step) {
  INFO("run " << run.string() << " against " << expected_run.string());
  const auto a = read_jsonl(expected_run / "metrics.jsonl"), b = read_jsonl(run / "metrics.jsonl");
  REQUIRE(a.size() == static_cast<size_t>(final_step));
  REQUIRE(b.size() == a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("metrics line " << i + 1);
    CHECK(b[i]["step"] == a[i]["step"]);
    for (const char* key : {"loss", "grad_norm", "lr"}) CHECK(b[i][key].get<double>() == a[i][key].get<double>());
    CHECK(b[i]["tokens"] == a[i]["tokens"]);
    CHECK(b[i]["skipped"] == a[i]["skipped"]);
  }
  const auto step_dir = CheckpointStore::step_name(final_step);
  const auto ca = expected_run / "checkpoints" / step_dir, cb = run / "checkpoints" / step_dir;
  REQUIRE(std::filesystem::exists(cb));
  CHECK(read_file(ca / "model.safetensors") == read_file(cb / "model.safetensors"));
  CHECK(read_file(ca / "optimizer-rank0.safetensors") == read_file(cb / "optimizer-rank0.safetensors"));
  Json sa = Json::parse(read_file(ca / "trainer_state.json")), sb = Json::parse(read_file(cb / "trainer_state.json"));
  sa.erase("time");
  sb.erase("time");
  CHECK(sb.dump() == sa.dump());
}

}  // namespace dsmath::test
