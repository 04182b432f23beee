// Graceful stops (lib/core/stop_signal.hpp). Each CTest case runs in its own process, so the
// process-wide stop flag set here touches no other case.
#include <catch2/catch.hpp>
#include <csignal>

#include "core/stop_signal.hpp"

using namespace dsmath;

TEST_CASE("a stop signal delivered twice at once (as GNU timeout does) is one request", "[core]") {
  install_stop_handlers();
  CHECK(!stop_requested());
  // timeout(1) signals the command, then its process group: two SIGTERMs a moment apart. With
  // the second taken as "stop now", this process would die here (the case would fail by signal).
  std::raise(SIGTERM);
  std::raise(SIGTERM);
  CHECK(stop_requested());
  CHECK(stop_signal_number() == SIGTERM);
}
