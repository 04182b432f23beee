#include "sandbox/child_process.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <utility>

namespace dsmath::sandbox {

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), status_(std::exchange(o.status_, std::nullopt)) {}

ChildProcess::~ChildProcess() {
  if (running()) {
    kill_group();
    wait();
  }
}

void ChildProcess::kill_group() const {
  if (!running()) return;
  ::kill(-pid_, SIGKILL);  // the group: the launcher did setpgid(0, 0) before exec
  ::kill(pid_, SIGKILL);   // and the child itself, had it died before setpgid
}

bool ChildProcess::try_reap() {
  if (!running()) return status_.has_value();
  int st = 0;
  const pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) status_ = st;
  if (r < 0 && errno == ECHILD) status_ = 0;  // reaped elsewhere: nothing left to wait for
  return status_.has_value();
}

int ChildProcess::wait() {
  while (running()) {
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, 0);
    if (r == pid_) status_ = st;
    else if (r < 0 && errno != EINTR) status_ = 0;
  }
  return *status_;
}

}  // namespace dsmath::sandbox
