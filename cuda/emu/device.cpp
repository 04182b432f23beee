#include "cuda/emu/device.hpp"

#include <cstdlib>
#include <exception>

#include <fmt/format.h>

#include "cuda/emu/errors.hpp"

namespace dsmath::emu {

namespace {
// The memory budget: DSMATH_EMU_MEMORY_MIB, else 4 GiB (enough for the test models; small
// enough that a run sizing its KV cache from free memory stays within a CI machine's RAM).
size_t capacity_from_environment() {
  if (const char* v = std::getenv("DSMATH_EMU_MEMORY_MIB")) {
    const long long mib = std::atoll(v);
    if (mib > 0) return static_cast<size_t>(mib) << 20;
  }
  return size_t{4} << 30;
}
}  // namespace

Device& Device::get() {
  static Device d;
  return d;
}

Device::Device() : memory(capacity_from_environment()) {
  auto legacy = std::make_unique<StreamState>();
  legacy->legacy = true;
  streams_.push_back(std::move(legacy));
}

StreamState* Device::stream(cudaStream_t handle) {
  if (handle == nullptr || handle == cudaStreamLegacy || handle == cudaStreamPerThread) return streams_[0].get();
  for (auto& s : streams_)
    if (reinterpret_cast<cudaStream_t>(s.get()) == handle) return s->destroyed ? nullptr : s.get();
  return nullptr;
}

StreamState* Device::create_stream(bool blocking) {
  auto s = std::make_unique<StreamState>();
  s->id = static_cast<int>(streams_.size());
  s->blocking = blocking;
  streams_.push_back(std::move(s));
  return streams_.back().get();
}

void Device::destroy_stream(StreamState* s) {
  synchronize(s);  // queued work completes, as cudaStreamDestroy promises
  s->destroyed = true;
}

cudaError_t Device::enqueue(StreamState* s, Task task) {
  if (sticky_error() != cudaSuccess) return sticky_error();
  if (s->capture != nullptr) {
    // recorded, not run: its accesses are checked when a graph launch queues it
    if (!task.run && s->capture->invalidated.empty())
      s->capture->invalidated = task.name + " on a capturing stream (the emulator captures no events)";
    s->capture->tasks.push_back(std::move(task));
    return cudaSuccess;
  }
  if (s->legacy)
    if (StreamState* c = capturing(); c != nullptr && c->blocking)
      return refuse_during_capture(task.name + " on the legacy stream, which waits for the capturing stream");
  StreamState* legacy = streams_[0].get();
  if (s->legacy) {
    for (auto& other : streams_)
      if (!other->legacy && !other->destroyed && other->blocking) {
        task.after.emplace_back(other.get(), other->enqueued);
        s->clock.join(other->clock);
      }
  } else if (s->blocking) {
    task.after.emplace_back(legacy, legacy->enqueued);
    s->clock.join(legacy->clock);
  }
  s->clock.join(host_clock_);
  const uint64_t seq = ++s->enqueued;
  s->clock.set(s->id, seq);
  cudaError_t status = cudaSuccess;
  for (const Footprint& f : task.footprints) {
    if (auto race = memory.record(f, s->id, seq, s->clock, host_clock_, task.name)) {
      status = set_sticky_error(cudaErrorLaunchFailure, *race);
      break;
    }
  }
  s->queue.emplace_back(seq, std::move(task));
  return status;
}

void Device::drain(StreamState* s, uint64_t up_to) {
  while (s->executed < up_to && !s->queue.empty()) {
    auto [seq, task] = std::move(s->queue.front());
    s->queue.pop_front();
    for (auto [other, other_seq] : task.after) drain(other, other_seq);
    if (task.run && sticky_error() == cudaSuccess) {
      try {
        task.run();
      } catch (const std::exception& e) {
        set_sticky_error(cudaErrorLaunchFailure, e.what());
      }
    }
    if (task.stamps != nullptr) task.stamps->when = std::chrono::steady_clock::now();
    s->executed = seq;
  }
}

StreamState* Device::capturing() const {
  for (const auto& s : streams_)
    if (s->capture != nullptr) return s.get();
  return nullptr;
}

cudaError_t Device::refuse_during_capture(const std::string& api) {
  StreamState* c = capturing();
  if (c == nullptr) return cudaSuccess;
  if (c->capture->invalidated.empty()) c->capture->invalidated = api;
  return set_error(cudaErrorStreamCaptureUnsupported,
                   fmt::format("{} while stream {} is capturing a graph (not allowed in a global-mode capture; the "
                               "capture is invalidated)",
                               api, c->id));
}

cudaError_t bad_stream(const char* api) {
  return set_error(cudaErrorInvalidResourceHandle, fmt::format("{}: the stream was destroyed or never created", api));
}

bool Device::pinned(const void* p, size_t bytes) const {
  const auto a = reinterpret_cast<uintptr_t>(p);
  auto it = pinned_.upper_bound(a);
  if (it == pinned_.begin()) return false;
  --it;
  return a + bytes <= it->first + it->second;
}

void Device::synchronize(StreamState* s) {
  drain(s, s->enqueued);
  host_clock_.join(s->clock);
}

void Device::synchronize_all() {
  for (auto& s : streams_) synchronize(s.get());
}

cudaError_t Device::record(EventState* e, StreamState* s) {
  Task marker;
  marker.name = "cudaEventRecord";
  marker.stamps = e;
  const cudaError_t status = enqueue(s, std::move(marker));
  e->stream = s;
  e->seq = s->enqueued;
  e->clock = s->clock;
  return status;
}

cudaError_t Device::wait(StreamState* s, const EventState* e) {
  if (e->stream == nullptr || e->stream == s) return cudaSuccess;  // never recorded, or in order anyway
  s->clock.join(e->clock);
  Task marker;
  marker.name = "cudaStreamWaitEvent";
  marker.after.emplace_back(e->stream, e->seq);
  return enqueue(s, std::move(marker));
}

void Device::synchronize(const EventState* e) {
  if (e->stream == nullptr) return;
  drain(e->stream, e->seq);
  host_clock_.join(e->clock);
}

}  // namespace dsmath::emu
