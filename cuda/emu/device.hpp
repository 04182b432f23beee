#pragma once
// The emulated GPU as the runtime, cuBLASLt and NCCL emulations see it: one device (sm_90 limits,
// a memory budget), its streams and events, and deferred execution.
//
// Work queued on a stream runs only when something waits for it: a stream, event or device
// synchronization, a query, a copy to host memory, or another stream's wait on an event. So a
// stream that reads what another stream writes runs before the writer unless an event orders
// them, and a missing cudaStreamWaitEvent gives a wrong result instead of passing by luck; and
// every access is checked against the other streams' recent accesses (device_memory.hpp), so
// that the race is reported even where the values happen to agree. The legacy default stream
// (stream 0) is ordered with every blocking stream, as in CUDA.
//
// Stream capture (CUDA graphs): while a stream captures, work queued on it is recorded instead of
// run, and a graph launch queues the recorded tasks again, each with the arguments it was
// captured with. A global-mode capture refuses what the runtime refuses during one (a wait for
// the capturing stream, cudaMalloc, cudaFree, a synchronous copy), which also invalidates it; a
// captured copy must use pinned host memory (cudaMallocHost), which the copy reads or writes when
// it executes, at every replay.
//
// Every entry point of the emulated APIs locks Device::mutex; queued work runs on the thread that
// waits for it.
#include <cuda_runtime_api.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cuda/emu/device_memory.hpp"
#include "cuda/emu/vector_clock.hpp"

namespace dsmath::emu {

struct StreamState;

struct EventState {
  StreamState* stream = nullptr;  // where it was last recorded; null if never
  uint64_t seq = 0;               // the recording's position in that stream
  VectorClock clock;
  bool timing = true;
  std::chrono::steady_clock::time_point when{};  // when the recording executed
};

struct Task {
  std::string name;                // the op, for messages
  std::vector<Footprint> footprints;
  std::function<void()> run;       // empty for markers (event records, waits)
  std::vector<std::pair<StreamState*, uint64_t>> after;  // other streams' work to complete first
  EventState* stamps = nullptr;    // the event this marker records
};

// A capture in progress: the tasks recorded so far, and why it was invalidated (empty if not).
struct CaptureState {
  std::vector<Task> tasks;
  std::string invalidated;
};

// An instantiated graph (cudaGraphExec_t) or its definition (cudaGraph_t): the captured tasks.
struct GraphState {
  std::vector<Task> tasks;
};

struct StreamState {
  std::unique_ptr<CaptureState> capture;  // non-null while capturing
  int id = 0;
  bool legacy = false, blocking = true, destroyed = false;
  uint64_t enqueued = 0, executed = 0;  // task sequence numbers
  VectorClock clock;                    // what completes before the next task queued here
  std::deque<std::pair<uint64_t, Task>> queue;
};

// sm_90 (H100/H200) limits the emulator enforces (CUDA Programming Guide, "Technical
// Specifications per Compute Capability").
struct Limits {
  static constexpr unsigned max_threads_per_block = 1024;
  static constexpr unsigned max_block_x = 1024, max_block_y = 1024, max_block_z = 64;
  static constexpr unsigned max_grid_x = 2147483647u, max_grid_y = 65535, max_grid_z = 65535;
  static constexpr size_t default_dynamic_smem = 48 * 1024;  // without cudaFuncSetAttribute
  static constexpr size_t max_dynamic_smem_optin = 227 * 1024;
  static constexpr int sm_count = 132;
  static constexpr int clock_khz = 1980000;
};

class Device {
 public:
  static Device& get();
  std::mutex mutex;
  DeviceMemory memory;
  std::map<const void*, size_t> dynamic_smem_limit;  // per kernel, from cudaFuncSetAttribute

  // cudaStream_t to the state (0, cudaStreamLegacy and cudaStreamPerThread are the legacy
  // stream); null for a destroyed or unknown handle
  StreamState* stream(cudaStream_t handle);
  StreamState* create_stream(bool blocking);
  void destroy_stream(StreamState* s);

  // Queues a task; returns the sticky error if the device has faulted or the task races with
  // another stream (reported at once, at the call that queued it).
  cudaError_t enqueue(StreamState* s, Task task);
  // Runs the stream's queued work, then counts it complete for the host.
  void synchronize(StreamState* s);
  void synchronize_all();
  // Runs the queued work without telling the host (a query that answers "not ready").
  void run_queued(StreamState* s) { drain(s, s->enqueued); }
  void run_queued(const EventState* e) {
    if (e->stream != nullptr) drain(e->stream, e->seq);
  }
  bool idle(const StreamState* s) const { return s->executed == s->enqueued; }

  // Capture: the stream capturing now (at most one), and a refusal of `api` during a global-mode
  // capture: invalidates it and returns cudaErrorStreamCaptureUnsupported (success if none).
  StreamState* capturing() const;
  cudaError_t refuse_during_capture(const std::string& api);

  // Pinned host memory (cudaMallocHost): only there may a captured copy read or write the host.
  void add_pinned(const void* p, size_t bytes) { pinned_[reinterpret_cast<uintptr_t>(p)] = bytes; }
  bool remove_pinned(const void* p) { return pinned_.erase(reinterpret_cast<uintptr_t>(p)) == 1; }
  bool pinned(const void* p, size_t bytes) const;

  cudaError_t record(EventState* e, StreamState* s);
  cudaError_t wait(StreamState* s, const EventState* e);
  void synchronize(const EventState* e);
  bool complete(const EventState* e) const { return e->stream == nullptr || e->stream->executed >= e->seq; }

 private:
  Device();
  void drain(StreamState* s, uint64_t up_to);
  std::vector<std::unique_ptr<StreamState>> streams_;  // [0] is the legacy stream; kept after destruction
  VectorClock host_clock_;  // what the host has seen complete
  std::map<uintptr_t, size_t> pinned_;  // start -> bytes
};

// Runs f(device, stream state) under the device lock for a call on `handle`, or reports a
// destroyed or unknown stream (the entry points of runtime_api.cpp and graph_api.cpp).
cudaError_t bad_stream(const char* api);
template <class F>
cudaError_t with_stream(const char* api, cudaStream_t handle, F&& f) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  StreamState* s = d.stream(handle);
  if (s == nullptr) return bad_stream(api);
  return f(d, s);
}

}  // namespace dsmath::emu
