#pragma once
// The MFU denominator for GPUs: the datasheet dense bf16 tensor-core rate (no 2:4 sparsity),
// keyed by the name the driver reports, as published MFU figures use (PaLM appendix B;
// Megatron-LM). Host-only, unit-tested without a GPU.
#include <string>
#include <string_view>

namespace dsmath::cuda {

struct GpuPeak {
  double flops = 0;       // dense bf16 FLOP/s
  std::string source;     // the datasheet entry, or how the estimate was made
  bool estimated = false; // not in the table: SMs x clock x per-SM rate of the architecture
};

// device_name as in cudaDeviceProp::name ("NVIDIA H100 80GB HBM3"); the rest is used only
// for the estimate of a GPU missing from the table.
GpuPeak datasheet_bf16_peak(std::string_view device_name, int sm_count, int clock_khz, int cc_major, int cc_minor);

// The bound of memory-bound work (decode): the datasheet memory bandwidth in bytes/s, keyed
// like the FLOP table; for a GPU missing from it, 2 (double data rate) x memory clock x bus
// width, which is how the datasheet figures are made (H100 SXM: 2 x 2619 MHz x 5120 bits / 8 =
// 3.35 TB/s).
struct GpuBandwidth {
  double bytes_per_s = 0;
  std::string source;
  bool estimated = false;
};
GpuBandwidth datasheet_memory_bandwidth(std::string_view device_name, int memory_clock_khz, int bus_width_bits);

}  // namespace dsmath::cuda
