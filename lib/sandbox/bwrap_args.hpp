#pragma once
// The bwrap(1) command line of one sandboxed Python run (the isolation policy in one place).
#include <string>
#include <vector>

#include "sandbox/sandbox_config.hpp"

namespace dsmath::sandbox {

// fds the launcher places before exec: the program text and bwrap's JSON status stream.
inline constexpr int kProgramFd = 3;
inline constexpr int kStatusFd = 4;
// Where the program appears inside (read-only).
inline constexpr const char* kProgramPath = "/sandbox/main.py";

std::vector<std::string> bwrap_args(const std::string& bwrap_path, const SandboxConfig& config);

}  // namespace dsmath::sandbox
