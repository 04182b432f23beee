#include <catch2/catch.hpp>

#include "core/files.hpp"
#include "io/checkpoint_store.hpp"
#include "test_util.hpp"

using namespace dsmath;

TEST_CASE("checkpoint store publishes complete directories, points latest at them and prunes", "[io]") {
  auto dir = test::temp_dir("ckpt_store");
  SingleProcessCommunicator comm;
  CheckpointStore store(dir, 2);
  CHECK(!store.latest());
  for (int step : {10, 20, 30}) {
    auto out = store.save(step, comm, [&](const fs::path& d) { write_file_atomic(d / "x.txt", std::to_string(step)); });
    CHECK(out.filename() == CheckpointStore::step_name(step));
  }
  REQUIRE(store.latest());
  CHECK(store.latest()->filename() == "step-0000030");
  CHECK(read_file(*store.latest() / "x.txt") == "30");
  CHECK(!fs::exists(dir / "step-0000010"));  // keep_last 2
  CHECK(fs::exists(dir / "step-0000020"));
  // a crash during a save leaves a .partial directory: ignored, then removed by the next save
  make_directories(dir / "step-0000040.partial");
  CHECK(store.latest()->filename() == "step-0000030");
  store.save(50, comm, [](const fs::path& d) { write_file_atomic(d / "x.txt", "50"); });
  CHECK(!fs::exists(dir / "step-0000040.partial"));
  // a crash between publishing and updating `latest`: the newest complete directory wins
  write_file_atomic(dir / "latest", "step-0000999\n");
  CHECK(store.latest()->filename() == "step-0000050");
}
