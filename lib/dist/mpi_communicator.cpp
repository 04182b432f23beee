#include "dist/mpi_communicator.hpp"

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "dist/launch.hpp"

namespace dsmath {

namespace {
// MPI counts are ints: move large buffers in pieces.
constexpr int64_t kMaxChunk = int64_t{1} << 28;

void check_mpi(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    fail("MPI {} failed: {}", what, std::string(text, static_cast<size_t>(len)));
  }
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

float* f32(Tensor t, const char* op) {
  if (t.dtype != DType::f32) fail("MPI {}: {} tensors are not supported (the CPU backend is f32)", op, dtype_name(t.dtype));
  return t.as<float>();
}

// Sums [ranges[r], ranges[r + 1]) over ranks into rank r, for every r, in place, in chunks
// that MPI's int counts hold; nonblocking when `requests` collects the requests.
void reduce_to_owners(float* p, std::span<const int64_t> ranges, int my_rank, std::vector<MPI_Request>* requests) {
  for (size_t r = 0; r + 1 < ranges.size(); ++r) {
    const int owner = static_cast<int>(r);
    for (int64_t i = ranges[r]; i < ranges[r + 1]; i += kMaxChunk) {
      const int count = static_cast<int>(std::min(kMaxChunk, ranges[r + 1] - i));
      const void* send = my_rank == owner ? MPI_IN_PLACE : p + i;
      float* receive = my_rank == owner ? p + i : nullptr;
      if (requests == nullptr) {
        check_mpi(MPI_Reduce(send, receive, count, MPI_FLOAT, MPI_SUM, owner, MPI_COMM_WORLD), "reduce");
      } else {
        requests->push_back(MPI_REQUEST_NULL);
        check_mpi(MPI_Ireduce(send, receive, count, MPI_FLOAT, MPI_SUM, owner, MPI_COMM_WORLD, &requests->back()), "reduce");
      }
    }
  }
}
}  // namespace

struct MpiCommunicator::Impl {
  int rank = 0, world = 1, local_rank = 0;
  double timeout_s = 600;
  std::filesystem::path heartbeat_dir;
  // watchdog
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  const char* current_op = nullptr;
  double op_started_s = 0;
  std::atomic<int64_t> step{0};
  std::thread watchdog;
  std::vector<MPI_Request> pending;  // nonblocking all-reduces in flight

  struct Scope {
    Impl& impl;
    Scope(Impl& i, const char* op) : impl(i) {
      std::lock_guard lock(impl.mutex);
      impl.current_op = op;
      impl.op_started_s = now_s();
    }
    ~Scope() {
      std::lock_guard lock(impl.mutex);
      impl.current_op = nullptr;
    }
  };

  // Heartbeats are written by the watchdog thread, at most every few seconds and only when the
  // step or the rank's state (computing / waiting in a collective) changed: thousands of ranks
  // rewriting a file every step would load a shared filesystem's metadata server. A rank whose
  // main thread hangs still reports where it is.
  int64_t reported_step = -1;
  bool reported_waiting = false;
  double reported_at_s = -1e9;
  double heartbeat_interval_s() const { return std::clamp(timeout_s / 4, 0.5, 10.0); }
  void maybe_write_heartbeat() {
    const int64_t s = step.load();
    const bool waiting = current_op != nullptr;
    if ((s == reported_step && waiting == reported_waiting) || now_s() - reported_at_s < heartbeat_interval_s()) return;
    reported_step = s;
    reported_waiting = waiting;
    reported_at_s = now_s();
    write_heartbeat(s, waiting);
  }

  void write_heartbeat(int64_t s, bool waiting) const {
    if (heartbeat_dir.empty()) return;
    try {
      write_file_atomic(heartbeat_dir / ("rank-" + std::to_string(rank)),
                        fmt::format("{} {:.3f} {}\n", s, static_cast<double>(std::time(nullptr)), waiting ? "waiting" : "computing"));
    } catch (const Error&) {
      // heartbeats are diagnostics; a full disk must not stop training here
    }
  }

  // Ranks that are behind in steps, or at this step but not inside a collective, are the ones
  // the others wait for.
  std::string peer_report() const {
    if (heartbeat_dir.empty()) return "no heartbeat directory to tell which rank";
    std::vector<std::string> suspects;
    const int64_t mine = step.load();
    for (int r = 0; r < world; ++r) {
      if (r == rank) continue;
      std::ifstream in(heartbeat_dir / ("rank-" + std::to_string(r)));
      int64_t s = -1;
      double t = 0;
      std::string state;
      if (!(in >> s >> t >> state)) {
        suspects.push_back(fmt::format("rank {} (no heartbeat)", r));
      } else if (s < mine || (s == mine && state != "waiting")) {
        suspects.push_back(fmt::format("rank {} (last at step {}, {}, {:.0f} s ago)", r, s,
                                       state == "waiting" ? "in a collective" : "not in a collective",
                                       static_cast<double>(std::time(nullptr)) - t));
      }
    }
    return suspects.empty() ? "every rank is waiting in a collective at this step"
                            : "waiting for: " + join(suspects, ", ");
  }

  void watch() {
    std::unique_lock lock(mutex);
    while (!stop) {
      wake.wait_for(lock, std::chrono::milliseconds(500));
      if (stop) break;
      maybe_write_heartbeat();
      if (current_op == nullptr) continue;
      const double waited = now_s() - op_started_s;
      if (waited < timeout_s) continue;
      const std::string report = peer_report();
      log::error("rank {}: {} at step {} has waited {:.0f} s for the other ranks (dist.timeout_s = {}); {}. "
                 "A rank died or hangs; aborting the job. The last complete checkpoint is intact: rerun with --resume.",
                 rank, current_op, step.load(), waited, timeout_s, report);
      std::_Exit(70);  // the launcher sees a failed rank and stops the others
    }
  }

  static std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
    return out;
  }
};

MpiCommunicator::MpiCommunicator(double timeout_s, std::filesystem::path heartbeat_dir) : impl_(std::make_unique<Impl>()) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "init");
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &impl_->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &impl_->world);
  impl_->local_rank = launched_local_rank();
  impl_->timeout_s = timeout_s;
  impl_->heartbeat_dir = std::move(heartbeat_dir);
  if (!impl_->heartbeat_dir.empty()) {
    if (impl_->rank == 0) make_directories(impl_->heartbeat_dir);
    MPI_Barrier(MPI_COMM_WORLD);
    impl_->write_heartbeat(0, false);
  }
  log::set_rank(impl_->rank, impl_->world);
  impl_->watchdog = std::thread([this] { impl_->watch(); });
}

MpiCommunicator::~MpiCommunicator() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stop = true;
  }
  impl_->wake.notify_all();
  impl_->watchdog.join();
  // On an error path the job is aborted after the message is printed (abort_job_if_distributed);
  // finalizing here would wait for ranks that may never arrive.
  if (std::uncaught_exceptions() == 0) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
}

int MpiCommunicator::rank() const { return impl_->rank; }
int MpiCommunicator::world_size() const { return impl_->world; }
int MpiCommunicator::local_rank() const { return impl_->local_rank; }
std::string MpiCommunicator::name() const { return fmt::format("MPI ({} ranks)", impl_->world); }

void MpiCommunicator::note_step(int64_t step) { impl_->step = step; }

void MpiCommunicator::allreduce_sum(Tensor data, int64_t n) {
  Impl::Scope scope(*impl_, "all-reduce of gradients");
  float* p = f32(data, "allreduce");
  for (int64_t i = 0; i < n; i += kMaxChunk)
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, p + i, static_cast<int>(std::min(kMaxChunk, n - i)), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD),
              "allreduce");
}

void MpiCommunicator::allreduce_sum_async(Tensor data, int64_t n) {
  float* p = f32(data, "allreduce");
  for (int64_t i = 0; i < n; i += kMaxChunk) {
    MPI_Request request = MPI_REQUEST_NULL;
    check_mpi(MPI_Iallreduce(MPI_IN_PLACE, p + i, static_cast<int>(std::min(kMaxChunk, n - i)), MPI_FLOAT, MPI_SUM,
                             MPI_COMM_WORLD, &request),
              "allreduce");
    impl_->pending.push_back(request);
  }
}

void MpiCommunicator::reduce_to_owners_async(Tensor data, std::span<const int64_t> ranges) {
  reduce_to_owners(f32(data, "reduce"), ranges, impl_->rank, &impl_->pending);
}

void MpiCommunicator::wait_all() {
  if (impl_->pending.empty()) return;
  Impl::Scope scope(*impl_, "reduction of gradients (overlapped with backward)");
  check_mpi(MPI_Waitall(static_cast<int>(impl_->pending.size()), impl_->pending.data(), MPI_STATUSES_IGNORE), "waitall");
  impl_->pending.clear();
}

void MpiCommunicator::allreduce_sum(std::span<double> values) {
  Impl::Scope scope(*impl_, "all-reduce of statistics");
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD),
            "allreduce");
}

// On CPUs one reduce per owner shard is enough (few ranks); it also keeps counts within int.
void MpiCommunicator::reduce_scatter_sum(Tensor data, int64_t shard) {
  Impl::Scope scope(*impl_, "reduce-scatter of gradients");
  const EqualShards shards{shard * impl_->world, impl_->world, shard};
  reduce_to_owners(f32(data, "reduce_scatter"), shards.bounds(), impl_->rank, nullptr);
}

void MpiCommunicator::all_gather(Tensor data, int64_t shard) {
  Impl::Scope scope(*impl_, "all-gather of weights");
  float* p = f32(data, "all_gather");
  for (int r = 0; r < impl_->world; ++r)
    for (int64_t i = r * shard; i < (r + 1) * shard; i += kMaxChunk)
      check_mpi(MPI_Bcast(p + i, static_cast<int>(std::min(kMaxChunk, (r + 1) * shard - i)), MPI_FLOAT, r, MPI_COMM_WORLD),
                "broadcast");
}

void MpiCommunicator::broadcast(void* host_data, size_t bytes, int root) {
  Impl::Scope scope(*impl_, "broadcast");
  auto* p = static_cast<char*>(host_data);
  for (size_t i = 0; i < bytes; i += static_cast<size_t>(kMaxChunk))
    check_mpi(MPI_Bcast(p + i, static_cast<int>(std::min<size_t>(static_cast<size_t>(kMaxChunk), bytes - i)), MPI_BYTE, root,
                        MPI_COMM_WORLD),
              "broadcast");
}

void MpiCommunicator::barrier() {
  Impl::Scope scope(*impl_, "barrier");
  check_mpi(MPI_Barrier(MPI_COMM_WORLD), "barrier");
}

void mpi_abort_if_running(int exit_code) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, exit_code);
}

}  // namespace dsmath
