#pragma once
// Many programs through one Sandbox, up to `parallel` at once (config.parallel, 0 = cores).
// Each worker thread owns one slot, so as root no two running sandboxes share a uid (their
// process limits stay separate). Results come back in input order.
#include <functional>
#include <string>
#include <vector>

#include "sandbox/sandbox.hpp"

namespace dsmath::sandbox {

int parallel_slots(const SandboxConfig& config);

std::vector<SandboxResult> run_programs(const Sandbox& sandbox, const std::vector<std::string>& programs,
                                        const std::function<void(size_t done)>& progress = {});

}  // namespace dsmath::sandbox
