#include "train/metrics_log.hpp"

#include <fstream>
#include <string>

#include "core/error.hpp"
#include "core/files.hpp"

namespace dsmath {

MetricsLog::MetricsLog(const std::filesystem::path& path, int64_t resume_step) {
  if (resume_step >= 0 && std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::string line, kept, superseded;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      int64_t step = -1;
      try {
        step = Json::parse(line).value("step", int64_t{-1});
      } catch (const Json::exception&) {
        // a torn last line from a crash
      }
      ((step >= 0 && step <= resume_step) ? kept : superseded) += line + "\n";
    }
    if (!superseded.empty()) {
      std::ofstream(path.parent_path() / "metrics.superseded.jsonl", std::ios::app) << superseded;
    }
    write_file_atomic(path, kept);
  }
  file_ = std::fopen(path.c_str(), resume_step >= 0 ? "a" : "w");
  if (file_ == nullptr) fail("cannot open metrics file '{}'", path.string());
}

MetricsLog::~MetricsLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void MetricsLog::write(const Json& line) {
  const std::string text = line.dump() + "\n";
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
}

}  // namespace dsmath
