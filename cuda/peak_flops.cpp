#include "cuda/peak_flops.hpp"

#include <fmt/format.h>

#include <array>

namespace dsmath::cuda {

namespace {
struct Entry {
  std::string_view name_part;  // matched as a substring, first match wins (specific first)
  double value;                // TFLOP/s, or TB/s
  std::string_view datasheet;
};

template <size_t N>
const Entry* find_entry(const std::array<Entry, N>& table, std::string_view device_name) {
  for (const Entry& e : table)
    if (device_name.find(e.name_part) != std::string_view::npos) return &e;
  return nullptr;
}
// NVIDIA datasheets, "BF16 Tensor Core" dense figures (the sparse ones are twice these).
constexpr std::array<Entry, 19> kTable{{
    {"GB200", 2500, "GB200 NVL72, per GPU"},
    {"B200", 2250, "HGX B200"},
    {"B100", 1750, "HGX B100"},
    {"GH200", 989, "GH200 Grace Hopper"},
    {"H200 NVL", 835, "H200 NVL"},
    {"H200", 989, "H200 SXM"},
    {"H100 PCIe", 756, "H100 PCIe"},
    {"H100 NVL", 835, "H100 NVL"},
    {"H100", 989, "H100 SXM"},  // "H100 80GB HBM3", "H100 SXM5 ..."
    {"H800 PCIe", 756, "H800 PCIe"},
    {"H800", 989, "H800 SXM"},
    {"H20", 148, "H20"},
    {"A100", 312, "A100"},  // SXM4 and PCIe, 40 and 80 GB
    {"A800", 312, "A800"},
    {"A30", 165, "A30"},
    {"A10", 125, "A10"},
    {"L40S", 362, "L40S"},
    {"L40", 181, "L40"},
    {"L4", 121, "L4"},
}};

// NVIDIA datasheets, GPU memory bandwidth in TB/s (HBM, or GDDR for the L and A10 parts).
constexpr std::array<Entry, 16> kBandwidthTable{{
    {"GB200", 8.0, "GB200 NVL72, per GPU"},
    {"B200", 8.0, "HGX B200"},
    {"GH200 144G", 4.9, "GH200 144GB HBM3e"},
    {"GH200", 4.0, "GH200 96GB HBM3"},
    {"H200 NVL", 4.8, "H200 NVL"},
    {"H200", 4.8, "H200 SXM"},
    {"H100 PCIe", 2.0, "H100 PCIe"},
    {"H100 NVL", 3.9, "H100 NVL"},
    {"H100", 3.35, "H100 SXM"},
    {"H20", 4.0, "H20"},
    {"A100-SXM4-80GB", 2.039, "A100 80GB SXM"},
    {"A100 80GB PCIe", 1.935, "A100 80GB PCIe"},
    {"A100", 1.555, "A100 40GB"},
    {"L40S", 0.864, "L40S"},
    {"L40", 0.864, "L40"},
    {"L4", 0.3, "L4"},
}};

// Dense bf16 FLOPs per SM per clock of each architecture's tensor cores (FMA = 2 FLOPs):
// Hopper 4096 (H100 SXM: 132 SMs x 1.83 GHz x 4096 = 989 T), A100 2048, Ada/Ampere consumer
// and workstation parts 1024 with fp32 accumulation, Blackwell 8192.
int flops_per_sm_per_clock(int major, int minor) {
  if (major >= 10) return 8192;
  if (major == 9) return 4096;
  if (major == 8 && minor == 0) return 2048;
  return 1024;
}
}  // namespace

GpuPeak datasheet_bf16_peak(std::string_view device_name, int sm_count, int clock_khz, int cc_major, int cc_minor) {
  if (const Entry* e = find_entry(kTable, device_name))
    return {e->value * 1e12, fmt::format("datasheet {} dense bf16 {} TFLOP/s", e->datasheet, e->value), false};
  const double flops = static_cast<double>(sm_count) * clock_khz * 1e3 * flops_per_sm_per_clock(cc_major, cc_minor);
  return {flops,
          fmt::format("estimated: {} SMs x {} MHz x {} FLOP/clock (sm_{}{} not in the datasheet table)", sm_count,
                      clock_khz / 1000, flops_per_sm_per_clock(cc_major, cc_minor), cc_major, cc_minor),
          true};
}

GpuBandwidth datasheet_memory_bandwidth(std::string_view device_name, int memory_clock_khz, int bus_width_bits) {
  if (const Entry* e = find_entry(kBandwidthTable, device_name))
    return {e->value * 1e12, fmt::format("datasheet {} memory bandwidth {} TB/s", e->datasheet, e->value), false};
  const double bytes_per_s = 2.0 * memory_clock_khz * 1e3 * bus_width_bits / 8.0;
  return {bytes_per_s,
          fmt::format("estimated: 2 x {} MHz x {} bits / 8 (not in the datasheet table)", memory_clock_khz / 1000,
                      bus_width_bits),
          true};
}

}  // namespace dsmath::cuda
