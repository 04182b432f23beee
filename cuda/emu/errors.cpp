#include "cuda/emu/errors.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace dsmath::emu {

namespace {
struct Known {
  cudaError_t code;
  const char* name;
  const char* text;
};
// The runtime's own descriptions (cudaGetErrorString) of the errors the emulator raises.
constexpr Known kKnown[] = {
    {cudaSuccess, "cudaSuccess", "no error"},
    {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
    {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
    {cudaErrorInvalidConfiguration, "cudaErrorInvalidConfiguration", "invalid configuration argument"},
    {cudaErrorInvalidDevicePointer, "cudaErrorInvalidDevicePointer", "invalid device pointer"},
    {cudaErrorInvalidMemcpyDirection, "cudaErrorInvalidMemcpyDirection", "invalid copy direction for memcpy"},
    {cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal"},
    {cudaErrorInvalidResourceHandle, "cudaErrorInvalidResourceHandle", "invalid resource handle"},
    {cudaErrorNotReady, "cudaErrorNotReady", "device not ready"},
    {cudaErrorLaunchFailure, "cudaErrorLaunchFailure", "unspecified launch failure"},
    {cudaErrorLaunchOutOfResources, "cudaErrorLaunchOutOfResources", "too many resources requested for launch"},
    {cudaErrorIllegalAddress, "cudaErrorIllegalAddress", "an illegal memory access was encountered"},
    {cudaErrorMisalignedAddress, "cudaErrorMisalignedAddress", "misaligned address"},
    {cudaErrorNotSupported, "cudaErrorNotSupported", "operation not supported"},
};

const Known* lookup(cudaError_t e) {
  for (const Known& k : kKnown)
    if (k.code == e) return &k;
  return nullptr;
}

thread_local cudaError_t tls_last = cudaSuccess;
thread_local std::string tls_detail;
thread_local cudaError_t tls_detail_code = cudaSuccess;
thread_local std::string tls_text;

std::mutex sticky_mutex;
std::atomic<cudaError_t> sticky{cudaSuccess};
std::string sticky_detail;
}  // namespace

cudaError_t set_error(cudaError_t e, const std::string& detail) {
  tls_last = e;
  tls_detail = detail;
  tls_detail_code = e;
  return e;
}

cudaError_t set_sticky_error(cudaError_t e, const std::string& detail) {
  {
    std::lock_guard lock(sticky_mutex);
    if (sticky.load() == cudaSuccess) {
      sticky_detail = detail;
      sticky.store(e);
      std::fprintf(stderr, "emulated GPU: %s\n", detail.c_str());
    }
  }
  return set_error(e, detail);
}

cudaError_t sticky_error() { return sticky.load(); }

cudaError_t take_last_error() {
  const cudaError_t s = sticky.load();
  if (s != cudaSuccess) return s;
  const cudaError_t e = tls_last;
  tls_last = cudaSuccess;
  return e;
}

cudaError_t peek_last_error() {
  const cudaError_t s = sticky.load();
  return s != cudaSuccess ? s : tls_last;
}

const char* error_string(cudaError_t e) {
  const Known* k = lookup(e);
  tls_text = k != nullptr ? k->text : "unrecognized error code";
  std::string detail;
  if (e == tls_detail_code) {
    detail = tls_detail;
  } else if (e != cudaSuccess && e == sticky.load()) {
    std::lock_guard lock(sticky_mutex);
    detail = sticky_detail;
  }
  if (!detail.empty()) tls_text += " [emulated GPU: " + detail + "]";
  return tls_text.c_str();
}

const char* error_name(cudaError_t e) {
  const Known* k = lookup(e);
  return k != nullptr ? k->name : "cudaErrorUnknown";
}

}  // namespace dsmath::emu
