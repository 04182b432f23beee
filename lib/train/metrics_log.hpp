#pragma once
// metrics.jsonl: one JSON object per step in the run directory (DESIGN.md section 4). Lines are
// flushed as they are written, so a crash loses at most the step in flight. On resume, lines
// past the checkpoint's step describe work about to be redone: they move to
// metrics.superseded.jsonl rather than being deleted.
#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "core/json.hpp"

namespace dsmath {

class MetricsLog {
 public:
  // resume_step >= 0 keeps lines with step <= resume_step; -1 starts a fresh file.
  MetricsLog(const std::filesystem::path& path, int64_t resume_step);
  ~MetricsLog();
  MetricsLog(const MetricsLog&) = delete;
  MetricsLog& operator=(const MetricsLog&) = delete;
  void write(const Json& line);

 private:
  std::FILE* file_ = nullptr;
};

}  // namespace dsmath
