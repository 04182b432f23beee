#pragma once
// The checkpoints of a run (DESIGN.md section 4): RUN/checkpoints/step-NNNNNNN/ directories,
// each a Hugging Face model directory plus resume state, and a `latest` pointer.
//
// Crash safety: files are written into step-NNNNNNN.partial/, fsynced, the directory is renamed
// to step-NNNNNNN (atomic), then `latest` is replaced atomically. A run killed at any moment
// leaves the previous checkpoint intact and `latest` pointing at a complete directory; the
// leftover .partial directory is removed by the next save.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "dist/communicator.hpp"

namespace dsmath {

class CheckpointStore {
 public:
  CheckpointStore(std::filesystem::path root, int keep_last);

  static std::string step_name(int64_t step);  // "step-0000100"
  // The newest complete checkpoint, or nullopt.
  std::optional<std::filesystem::path> latest() const;
  const std::filesystem::path& root() const { return root_; }

  // Collective: every rank calls it; `write_files(dir)` runs on every rank and writes that
  // rank's files into dir. Returns the final directory.
  std::filesystem::path save(int64_t step, Communicator& comm, const std::function<void(const std::filesystem::path&)>& write_files);

 private:
  void prune() const;
  std::filesystem::path root_;
  int keep_last_;
};

// Test hook for crash-safety tests: DSMATH_FAULT_INJECT="kill_mid_checkpoint:STEP" kills the
// process (SIGKILL) after the checkpoint files of STEP are written but before they are
// published; "kill_after_step:STEP" kills it right after optimizer step STEP, and
// "hang_after_step:STEP" makes it stop responding there. A suffix "@rankN" limits the fault
// to rank N of a multi-process run.
void maybe_inject_fault(const std::string& point, int64_t step, int rank = 0);

}  // namespace dsmath
