#include "core/stop_signal.hpp"

#include <atomic>
#include <csignal>
#include <cstdint>
#include <ctime>

namespace dsmath {

namespace {
std::atomic<int> g_stop_signal{0};
std::atomic<int64_t> g_first_signal_ms{0};

// clock_gettime is async-signal-safe (POSIX.1-2008, signal-safety(7)).
int64_t monotonic_ms() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000 + t.tv_nsec / 1000000;
}

// One request can arrive twice: GNU timeout, on expiry or when signalled, sends the signal to
// the command and then to its whole process group, which the command is in, so a run under
// `timeout` gets two SIGTERMs a moment apart. A second signal within this window is the same
// request; a later one (a person pressing Ctrl-C again) stops at once.
constexpr int64_t kDuplicateWindowMs = 1000;

extern "C" void on_stop_signal(int sig) {
  const int64_t now = monotonic_ms();
  if (g_stop_signal.load() != 0 && sig != SIGUSR1) {
    if (now - g_first_signal_ms.load() < kDuplicateWindowMs) return;
    std::signal(sig, SIG_DFL);  // asked twice: stop now
    std::raise(sig);
    return;
  }
  g_first_signal_ms.store(now);
  g_stop_signal.store(sig);
}
}  // namespace

void install_stop_handlers() {
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) std::signal(sig, on_stop_signal);
}

bool stop_requested() { return g_stop_signal.load() != 0; }
int stop_signal_number() { return g_stop_signal.load(); }

}  // namespace dsmath
