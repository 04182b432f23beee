// The CUDA graph subset dsmath uses, for the emulated GPU: stream capture (global mode) into a
// graph, instantiation, launch and destruction (CUDA Runtime API reference, "Graph Management"
// and "Stream Management"). A graph launch queues the captured tasks on the stream in capture
// order; each kernel runs with the arguments it was launched with during the capture, each copy
// between the same pointers, so values that change per replay must come from device memory or
// pinned host memory the graph copies from (device.hpp).
#include <cuda_runtime_api.h>

#include <fmt/format.h>

#include <memory>
#include <mutex>

#include "cuda/emu/device.hpp"
#include "cuda/emu/errors.hpp"

using dsmath::emu::CaptureState;
using dsmath::emu::Device;
using dsmath::emu::GraphState;
using dsmath::emu::StreamState;
using dsmath::emu::set_error;
using dsmath::emu::sticky_error;
using dsmath::emu::with_stream;

namespace {
GraphState* graph_of(cudaGraph_t g) { return reinterpret_cast<GraphState*>(g); }
GraphState* exec_of(cudaGraphExec_t g) { return reinterpret_cast<GraphState*>(g); }
}  // namespace

extern "C" {

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode) {
  return with_stream("cudaStreamBeginCapture", stream, [mode](Device& d, StreamState* s) {
    if (sticky_error() != cudaSuccess) return sticky_error();
    if (s->legacy)
      return set_error(cudaErrorStreamCaptureUnsupported, "cudaStreamBeginCapture: the legacy stream cannot be captured");
    if (mode != cudaStreamCaptureModeGlobal)
      return set_error(cudaErrorNotSupported, "cudaStreamBeginCapture: the emulator captures in global mode only");
    if (d.capturing() != nullptr)
      return set_error(cudaErrorIllegalState, "cudaStreamBeginCapture: another capture is in progress");
    // the capture starts after the work already queued, which still runs as usual
    s->capture = std::make_unique<CaptureState>();
    return cudaSuccess;
  });
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph) {
  *graph = nullptr;
  return with_stream("cudaStreamEndCapture", stream, [graph](Device&, StreamState* s) {
    if (s->capture == nullptr) return set_error(cudaErrorIllegalState, "cudaStreamEndCapture: the stream is not capturing");
    std::unique_ptr<CaptureState> c = std::move(s->capture);
    if (!c->invalidated.empty())
      return set_error(cudaErrorStreamCaptureInvalidated,
                       fmt::format("cudaStreamEndCapture: the capture was invalidated by {}", c->invalidated));
    if (sticky_error() != cudaSuccess) return sticky_error();
    auto* g = new GraphState;
    g->tasks = std::move(c->tasks);
    *graph = reinterpret_cast<cudaGraph_t>(g);
    return cudaSuccess;
  });
}

cudaError_t cudaStreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus* status) {
  return with_stream("cudaStreamIsCapturing", stream, [status](Device&, StreamState* s) {
    *status = s->capture == nullptr             ? cudaStreamCaptureStatusNone
              : s->capture->invalidated.empty() ? cudaStreamCaptureStatusActive
                                                : cudaStreamCaptureStatusInvalidated;
    return cudaSuccess;
  });
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  *exec = nullptr;
  if (graph == nullptr) return set_error(cudaErrorInvalidValue, "cudaGraphInstantiate: null graph");
  auto* e = new GraphState(*graph_of(graph));  // an executable graph is independent of its definition
  *exec = reinterpret_cast<cudaGraphExec_t>(e);
  return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  return with_stream("cudaGraphLaunch", stream, [exec](Device& d, StreamState* s) {
    if (sticky_error() != cudaSuccess) return sticky_error();
    if (exec == nullptr) return set_error(cudaErrorInvalidValue, "cudaGraphLaunch: null executable graph");
    if (s->capture != nullptr) return d.refuse_during_capture("cudaGraphLaunch into a capturing stream");
    for (const auto& task : exec_of(exec)->tasks) {
      // memory freed since the capture: on a GPU the replay reads or writes whatever is there now
      for (const auto& f : task.footprints)
        if (f.bytes > 0 && !d.memory.contains(f.ptr, f.bytes))
          return dsmath::emu::set_sticky_error(
              cudaErrorIllegalAddress, fmt::format("cudaGraphLaunch: {} ({}) was captured with device memory at {} that "
                                                   "has been freed since (capture again after reallocating)",
                                                   task.name, f.what, f.ptr));
      if (cudaError_t e = d.enqueue(s, task); e != cudaSuccess) return e;
    }
    return cudaSuccess;
  });
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  delete exec_of(exec);  // launches already queued hold their own copies of the tasks
  return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  delete graph_of(graph);
  return cudaSuccess;
}

}  // extern "C"
