#pragma once
// A child process that is always reaped: the destructor kills its process group and waits,
// so no path out of the executor (an exception included) leaves a zombie or a running child.
#include <sys/types.h>

#include <optional>

namespace dsmath::sandbox {

class ChildProcess {
 public:
  ChildProcess() = default;
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }
  // SIGKILL to the child's process group (the child made itself its leader before exec).
  void kill_group() const;
  // Non-blocking reap; true once the child has exited (its wait status in status()).
  bool try_reap();
  int wait();  // blocking reap; returns the wait status
  std::optional<int> status() const { return status_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace dsmath::sandbox
