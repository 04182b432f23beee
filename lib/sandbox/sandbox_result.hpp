#pragma once
// What one sandboxed program did: its output, exit status, and why it stopped.
#include <string>
#include <string_view>

namespace dsmath::sandbox {

enum class StopReason {
  ok,            // exited with status 0
  error,         // exited with a non-zero status (a Python exception: status 1)
  timeout,       // wall-clock limit, or CPU limit (SIGXCPU)
  memory,        // address-space limit: Python's MemoryError
  output_limit,  // stdout/stderr cap, or the file-size limit (SIGXFSZ)
  signal,        // killed by another signal (SIGSEGV, SIGKILL from inside, ...)
};
std::string_view stop_reason_name(StopReason r);

struct SandboxResult {
  StopReason reason = StopReason::ok;
  int exit_code = 0;   // the program's status; 128 + N when signal N ended it (bwrap's convention)
  std::string stdout_text;  // at most limits.output_kb KiB each
  std::string stderr_text;
  double wall_seconds = 0.0;

  bool ok() const { return reason == StopReason::ok; }
  // One line for logs and for the tool's turn: "timeout after 10.0 s", "error (exit 1)".
  std::string describe() const;
};

}  // namespace dsmath::sandbox
