// The CUDA runtime API subset dsmath uses, defined for the emulated GPU (declarations from the
// toolkit's cuda_runtime_api.h; an emulated build links this instead of libcudart). Semantics
// follow the CUDA Runtime API reference, including "API synchronization behavior" for copies:
// a copy from pageable host memory to the device may return before it executes (the source is
// staged at the call), a copy to pageable host memory returns once it has completed.
#include <cuda_runtime_api.h>

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "cuda/emu/device.hpp"
#include "cuda/emu/errors.hpp"

using dsmath::emu::Device;
using dsmath::emu::EventState;
using dsmath::emu::Footprint;
using dsmath::emu::Limits;
using dsmath::emu::StreamState;
using dsmath::emu::Task;
using dsmath::emu::bad_stream;
using dsmath::emu::with_stream;
using dsmath::emu::set_error;
using dsmath::emu::sticky_error;

namespace {
const char kDeviceName[] = "dsmath emulated GPU (sm_90 on the CPU)";

EventState* event_of(cudaEvent_t e) { return reinterpret_cast<EventState*>(e); }

bool on_device(Device& d, const void* p, size_t bytes) { return d.memory.contains(p, bytes); }


// The direction of a copy, checked against where the pointers really are (the runtime refuses a
// kind that contradicts them); cudaMemcpyDefault is inferred.
cudaError_t resolve_kind(Device& d, const char* api, void* dst, const void* src, size_t bytes, cudaMemcpyKind& kind) {
  const bool dst_dev = on_device(d, dst, bytes), src_dev = on_device(d, src, bytes);
  // (one past the end of an allocation is not device memory here: a host buffer may start there)
  const bool dst_in = on_device(d, dst, 1), src_in = on_device(d, src, 1);
  if (kind == cudaMemcpyDefault)
    kind = dst_in ? (src_in ? cudaMemcpyDeviceToDevice : cudaMemcpyHostToDevice)
                  : (src_in ? cudaMemcpyDeviceToHost : cudaMemcpyHostToHost);
  const bool want_dst = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
  const bool want_src = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
  if (kind > cudaMemcpyDefault) return set_error(cudaErrorInvalidMemcpyDirection, fmt::format("{}: kind {}", api, int(kind)));
  if (want_dst && !dst_dev)
    return set_error(cudaErrorInvalidValue,
                     fmt::format("{}: {} bytes at destination {} are not inside one device allocation", api, bytes, dst));
  if (want_src && !src_dev)
    return set_error(cudaErrorInvalidValue,
                     fmt::format("{}: {} bytes at source {} are not inside one device allocation", api, bytes, src));
  if ((!want_dst && dst_in) || (!want_src && src_in))
    return set_error(cudaErrorInvalidValue, fmt::format("{}: the copy kind says host memory, but the pointer is device "
                                                        "memory",
                                                        api));
  return cudaSuccess;
}

cudaError_t copy(const char* api, void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t handle,
                 bool blocking_call) {
  return with_stream(api, handle, [&](Device& d, StreamState* s) {
    if (sticky_error() != cudaSuccess) return sticky_error();
    if (bytes == 0) return cudaSuccess;
    if (cudaError_t e = resolve_kind(d, api, dst, src, bytes, kind); e != cudaSuccess) return e;
    if (blocking_call)
      if (cudaError_t e = d.refuse_during_capture(api); e != cudaSuccess) return e;
    if (kind == cudaMemcpyHostToHost) {
      std::memmove(dst, src, bytes);
      return cudaSuccess;
    }
    const void* host = kind == cudaMemcpyHostToDevice ? src : kind == cudaMemcpyDeviceToHost ? dst : nullptr;
    const bool pinned = host != nullptr && d.pinned(host, bytes);
    if (s->capture != nullptr && host != nullptr && !pinned)
      return d.refuse_during_capture(fmt::format("{} of {} bytes with pageable host memory at {} (a graph's copy must use "
                                                 "cudaMallocHost memory)",
                                                 api, bytes, host));
    Task t;
    t.name = api;
    if (kind != cudaMemcpyHostToDevice) t.footprints.push_back(Footprint{src, bytes, false, "its source"});
    if (kind != cudaMemcpyDeviceToHost) t.footprints.push_back(Footprint{dst, bytes, true, "its destination"});
    if (kind == cudaMemcpyHostToDevice && !pinned) {
      // pageable source: staged now, so the caller may reuse its buffer at once
      auto staged = std::make_shared<std::vector<unsigned char>>(static_cast<const unsigned char*>(src),
                                                                 static_cast<const unsigned char*>(src) + bytes);
      t.run = [dst, staged] { std::memcpy(dst, staged->data(), staged->size()); };
    } else {
      // pinned memory is read and written when the copy executes, as the DMA engine does: a host
      // that rewrites its buffer before the copy has run sends the new contents
      t.run = [dst, src, bytes] { std::memmove(dst, src, bytes); };
    }
    if (cudaError_t e = d.enqueue(s, std::move(t)); e != cudaSuccess) return e;
    // to pageable host memory the call returns once the copy is done; a blocking call always does
    if ((kind == cudaMemcpyDeviceToHost && !pinned) || blocking_call) d.synchronize(s);
    return sticky_error();
  });
}

cudaError_t fill(const char* api, void* dst, int value, size_t bytes, cudaStream_t handle, bool blocking_call) {
  return with_stream(api, handle, [&](Device& d, StreamState* s) {
    if (sticky_error() != cudaSuccess) return sticky_error();
    if (bytes == 0) return cudaSuccess;
    if (!on_device(d, dst, bytes))
      return set_error(cudaErrorInvalidValue,
                       fmt::format("{}: {} bytes at {} are not inside one device allocation", api, bytes, dst));
    if (blocking_call)
      if (cudaError_t e = d.refuse_during_capture(api); e != cudaSuccess) return e;
    Task t;
    t.name = api;
    t.footprints.push_back(Footprint{dst, bytes, true, "its destination"});
    t.run = [dst, value, bytes] { std::memset(dst, value, bytes); };
    if (cudaError_t e = d.enqueue(s, std::move(t)); e != cudaSuccess) return e;
    if (blocking_call) d.synchronize(s);
    return sticky_error();
  });
}
}  // namespace

extern "C" {

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) {
  return device == 0 ? cudaSuccess : set_error(cudaErrorInvalidDevice, fmt::format("device {} (the emulator has one)", device));
}
cudaError_t cudaGetDevice(int* device) {
  *device = 0;
  return cudaSuccess;
}
cudaError_t cudaDriverGetVersion(int* v) {
  *v = CUDART_VERSION;
  return cudaSuccess;
}
cudaError_t cudaRuntimeGetVersion(int* v) {
  *v = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int device) {
  if (device != 0) return set_error(cudaErrorInvalidDevice, fmt::format("device {}", device));
  std::memset(p, 0, sizeof *p);
  std::snprintf(p->name, sizeof p->name, "%s", kDeviceName);
  p->totalGlobalMem = Device::get().memory.capacity();
  p->sharedMemPerBlock = Limits::default_dynamic_smem;
  p->sharedMemPerBlockOptin = Limits::max_dynamic_smem_optin;
  p->sharedMemPerMultiprocessor = 228 * 1024;
  p->regsPerBlock = 65536;
  p->regsPerMultiprocessor = 65536;
  p->warpSize = 32;
  p->maxThreadsPerBlock = Limits::max_threads_per_block;
  p->maxThreadsDim[0] = Limits::max_block_x;
  p->maxThreadsDim[1] = Limits::max_block_y;
  p->maxThreadsDim[2] = Limits::max_block_z;
  p->maxGridSize[0] = static_cast<int>(Limits::max_grid_x);
  p->maxGridSize[1] = Limits::max_grid_y;
  p->maxGridSize[2] = Limits::max_grid_z;
  p->major = 9;
  p->minor = 0;
  p->multiProcessorCount = Limits::sm_count;
  p->maxThreadsPerMultiProcessor = 2048;
  p->maxBlocksPerMultiProcessor = 32;
  p->concurrentKernels = 1;
  p->unifiedAddressing = 1;
  p->asyncEngineCount = 2;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device) {
  if (device != 0) return set_error(cudaErrorInvalidDevice, fmt::format("device {}", device));
  switch (attr) {
    case cudaDevAttrClockRate: *value = Limits::clock_khz; return cudaSuccess;
    case cudaDevAttrMultiProcessorCount: *value = Limits::sm_count; return cudaSuccess;
    case cudaDevAttrComputeCapabilityMajor: *value = 9; return cudaSuccess;
    case cudaDevAttrComputeCapabilityMinor: *value = 0; return cudaSuccess;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin: *value = static_cast<int>(Limits::max_dynamic_smem_optin); return cudaSuccess;
    case cudaDevAttrMaxThreadsPerBlock: *value = static_cast<int>(Limits::max_threads_per_block); return cudaSuccess;
    case cudaDevAttrWarpSize: *value = 32; return cudaSuccess;
    default: return set_error(cudaErrorNotSupported, fmt::format("cudaDeviceGetAttribute: attribute {} is not emulated", int(attr)));
  }
}

cudaError_t cudaMalloc(void** ptr, size_t bytes) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (sticky_error() != cudaSuccess) return sticky_error();
  *ptr = nullptr;
  if (cudaError_t e = d.refuse_during_capture("cudaMalloc"); e != cudaSuccess) return e;
  if (bytes == 0) return cudaSuccess;
  *ptr = d.memory.allocate(bytes);
  if (*ptr == nullptr)
    return set_error(cudaErrorMemoryAllocation,
                     fmt::format("cudaMalloc of {} bytes: {} of the {}-byte budget in use (DSMATH_EMU_MEMORY_MIB sets it)",
                                 bytes, d.memory.in_use(), d.memory.capacity()));
  return cudaSuccess;
}

cudaError_t cudaFree(void* ptr) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (ptr == nullptr) return cudaSuccess;
  if (cudaError_t e = d.refuse_during_capture("cudaFree"); e != cudaSuccess) return e;
  d.synchronize_all();  // cudaFree waits for the device
  if (!d.memory.release(ptr))
    return set_error(cudaErrorInvalidValue, fmt::format("cudaFree({}): not the start of a live device allocation", ptr));
  return sticky_error();
}

cudaError_t cudaMallocHost(void** ptr, size_t bytes) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (cudaError_t e = d.refuse_during_capture("cudaMallocHost"); e != cudaSuccess) return e;
  *ptr = std::malloc(bytes == 0 ? 1 : bytes);
  if (*ptr == nullptr) return set_error(cudaErrorMemoryAllocation, "cudaMallocHost");
  d.add_pinned(*ptr, bytes == 0 ? 1 : bytes);
  return cudaSuccess;
}
cudaError_t cudaFreeHost(void* ptr) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (ptr == nullptr) return cudaSuccess;
  if (cudaError_t e = d.refuse_during_capture("cudaFreeHost"); e != cudaSuccess) return e;
  d.synchronize_all();  // cudaFreeHost waits for the device: a queued copy may still use it
  if (!d.remove_pinned(ptr))
    return set_error(cudaErrorInvalidValue, fmt::format("cudaFreeHost({}): not memory from cudaMallocHost", ptr));
  std::free(ptr);
  return sticky_error();
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  *total = d.memory.capacity();
  *free_bytes = d.memory.capacity() - d.memory.in_use();
  return sticky_error();
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  return copy("cudaMemcpy", dst, src, bytes, kind, nullptr, true);
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream) {
  return copy("cudaMemcpyAsync", dst, src, bytes, kind, stream, false);
}
cudaError_t cudaMemset(void* dst, int value, size_t bytes) { return fill("cudaMemset", dst, value, bytes, nullptr, true); }
cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t stream) {
  return fill("cudaMemsetAsync", dst, value, bytes, stream, false);
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, cudaStreamDefault); }
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (sticky_error() != cudaSuccess) return sticky_error();
  *stream = reinterpret_cast<cudaStream_t>(d.create_stream((flags & cudaStreamNonBlocking) == 0));
  return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  return with_stream("cudaStreamDestroy", stream, [](Device& d, StreamState* s) {
    if (s->legacy) return bad_stream("cudaStreamDestroy");
    if (s->capture != nullptr) return d.refuse_during_capture("cudaStreamDestroy of the capturing stream");
    d.destroy_stream(s);
    return sticky_error();
  });
}
cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  return with_stream("cudaStreamSynchronize", stream, [](Device& d, StreamState* s) {
    if (s->capture != nullptr) return d.refuse_during_capture("cudaStreamSynchronize of the capturing stream");
    d.synchronize(s);
    return sticky_error();
  });
}
cudaError_t cudaStreamQuery(cudaStream_t stream) {
  return with_stream("cudaStreamQuery", stream, [](Device& d, StreamState* s) {
    if (sticky_error() != cudaSuccess) return sticky_error();
    if (s->capture != nullptr) return d.refuse_during_capture("cudaStreamQuery of the capturing stream");
    if (!d.idle(s)) {
      d.run_queued(s);  // progress, but this answer is "not yet": the host learns it at the next query
      return sticky_error() != cudaSuccess ? sticky_error() : cudaErrorNotReady;
    }
    d.synchronize(s);
    return sticky_error();
  });
}
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int) {
  return with_stream("cudaStreamWaitEvent", stream, [event](Device& d, StreamState* s) {
    if (event == nullptr) return set_error(cudaErrorInvalidResourceHandle, "cudaStreamWaitEvent: null event");
    return d.wait(s, event_of(event));
  });
}
cudaError_t cudaDeviceSynchronize() {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (cudaError_t e = d.refuse_during_capture("cudaDeviceSynchronize"); e != cudaSuccess) return e;
  d.synchronize_all();
  return sticky_error();
}

cudaError_t cudaEventCreate(cudaEvent_t* event) { return cudaEventCreateWithFlags(event, cudaEventDefault); }
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags) {
  auto* e = new EventState;
  e->timing = (flags & cudaEventDisableTiming) == 0;
  *event = reinterpret_cast<cudaEvent_t>(e);
  return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t event) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  EventState* e = event_of(event);
  d.run_queued(e);  // a pending recording still stamps it; waits already queued keep their own position
  delete e;
  return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  return with_stream("cudaEventRecord", stream, [event](Device& d, StreamState* s) {
    if (event == nullptr) return set_error(cudaErrorInvalidResourceHandle, "cudaEventRecord: null event");
    return d.record(event_of(event), s);
  });
}
cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  d.synchronize(event_of(event));
  return sticky_error();
}
cudaError_t cudaEventQuery(cudaEvent_t event) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (sticky_error() != cudaSuccess) return sticky_error();
  EventState* e = event_of(event);
  if (!d.complete(e)) {
    d.run_queued(e);
    return sticky_error() != cudaSuccess ? sticky_error() : cudaErrorNotReady;
  }
  d.synchronize(e);
  return sticky_error();
}
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  const EventState *a = event_of(start), *b = event_of(end);
  if (!a->timing || !b->timing)
    return set_error(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime: an event was created with cudaEventDisableTiming");
  if (a->stream == nullptr || b->stream == nullptr || !d.complete(a) || !d.complete(b))
    return set_error(cudaErrorNotReady, "cudaEventElapsedTime: an event has not completed");
  *ms = std::chrono::duration<float, std::milli>(b->when - a->when).count();
  return cudaSuccess;
}

cudaError_t cudaFuncSetAttribute(const void* func, cudaFuncAttribute attr, int value) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (attr == cudaFuncAttributeMaxDynamicSharedMemorySize) {
    if (value < 0 || static_cast<size_t>(value) > Limits::max_dynamic_smem_optin)
      return set_error(cudaErrorInvalidValue,
                       fmt::format("cudaFuncSetAttribute: {} bytes of dynamic shared memory; sm_90 allows at most {}", value,
                                   Limits::max_dynamic_smem_optin));
    d.dynamic_smem_limit[func] = static_cast<size_t>(value);
  }
  return cudaSuccess;
}

cudaError_t cudaGetLastError() { return dsmath::emu::take_last_error(); }
cudaError_t cudaPeekAtLastError() { return dsmath::emu::peek_last_error(); }
const char* cudaGetErrorString(cudaError_t e) { return dsmath::emu::error_string(e); }
const char* cudaGetErrorName(cudaError_t e) { return dsmath::emu::error_name(e); }

}  // extern "C"
