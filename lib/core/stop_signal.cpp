#include "core/stop_signal.hpp"

#include <atomic>
#include <csignal>

namespace dsmath {

namespace {
std::atomic<int> g_stop_signal{0};

extern "C" void on_stop_signal(int sig) {
  if (g_stop_signal.load() != 0 && sig != SIGUSR1) {
    std::signal(sig, SIG_DFL);  // asked twice: stop now
    std::raise(sig);
    return;
  }
  g_stop_signal.store(sig);
}
}  // namespace

void install_stop_handlers() {
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) std::signal(sig, on_stop_signal);
}

bool stop_requested() { return g_stop_signal.load() != 0; }
int stop_signal_number() { return g_stop_signal.load(); }

}  // namespace dsmath
