#include "sandbox/sandbox_result.hpp"

#include <fmt/format.h>

namespace dsmath::sandbox {

std::string_view stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::ok: return "ok";
    case StopReason::error: return "error";
    case StopReason::timeout: return "timeout";
    case StopReason::memory: return "memory";
    case StopReason::output_limit: return "output_limit";
    case StopReason::signal: return "signal";
  }
  return "?";
}

std::string SandboxResult::describe() const {
  switch (reason) {
    case StopReason::ok: return fmt::format("ok in {:.2f} s", wall_seconds);
    case StopReason::timeout: return fmt::format("timeout after {:.1f} s", wall_seconds);
    case StopReason::signal: return fmt::format("killed by signal {}", exit_code - 128);
    default: return fmt::format("{} (exit {})", stop_reason_name(reason), exit_code);
  }
}

}  // namespace dsmath::sandbox
