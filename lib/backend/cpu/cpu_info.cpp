// What the CPU can do at most, for MFU: threads x clock x fp32 FLOPs per cycle, where a core
// with two FMA units retires 2 x (vector lanes) x 2 FLOPs a cycle: 64 with AVX-512, 32 with
// AVX2+FMA, 8 with SSE. The clock is the one /proc/cpuinfo reports (nominal, no turbo), so
// this is an estimate; docs/benchmarks.md states it beside every CPU MFU figure.
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "backend/cpu/cpu_backend.hpp"

namespace dsmath {

namespace {
struct CpuInfo {
  double mhz = 2000.0;
  int flops_per_cycle = 8;
};

CpuInfo read_cpuinfo() {
  CpuInfo info;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  bool have_mhz = false, have_flags = false;
  while (std::getline(in, line) && !(have_mhz && have_flags)) {
    if (!have_mhz && line.rfind("cpu MHz", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) info.mhz = std::stod(line.substr(colon + 1));
      have_mhz = true;
    } else if (!have_flags && line.rfind("flags", 0) == 0) {
      std::istringstream flags(line.substr(line.find(':') + 1));
      std::string f;
      bool avx512 = false, avx2 = false, fma = false;
      while (flags >> f) {
        avx512 |= f == "avx512f";
        avx2 |= f == "avx2";
        fma |= f == "fma";
      }
      info.flops_per_cycle = avx512 ? 64 : (avx2 && fma) ? 32 : 8;
      have_flags = true;
    }
  }
  return info;
}
}  // namespace

double CpuBackend::peak_flops() const {
  static const CpuInfo info = read_cpuinfo();
  return static_cast<double>(threads_) * info.mhz * 1e6 * info.flops_per_cycle;
}

size_t CpuBackend::memory_in_use() const {
  std::ifstream statm("/proc/self/statm");
  size_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

size_t CpuBackend::memory_available() const {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  size_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

}  // namespace dsmath
