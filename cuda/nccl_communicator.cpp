// NCCL collectives for the CUDA backend (dist/nccl_bridge.hpp). Device tensors are reduced in
// place on the backend's stream; host-side values go through the wrapped host communicator
// (MPI across ranks), which also carries NCCL's unique id from rank 0 to the others.
#include <nccl.h>

#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "cuda/check.cuh"
#include "cuda/cuda_backend.hpp"
#include "dist/nccl_bridge.hpp"

namespace dsmath::nccl_bridge {

namespace {
void check_nccl(ncclResult_t r, const char* op) {
  if (r != ncclSuccess)
    fail_hint("check that every rank runs on its own GPU and that NCCL_DEBUG=WARN shows no transport error",
              "NCCL {} failed: {} ({})", op, ncclGetErrorString(r), ncclGetLastError(nullptr));
}

ncclDataType_t nccl_type(DType t, const char* op) {
  switch (t) {
    case DType::f32: return ncclFloat32;
    case DType::bf16: return ncclBfloat16;
    case DType::f16: return ncclFloat16;
    default: fail("NCCL {}: {} tensors are not supported", op, dtype_name(t));
  }
}

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(std::unique_ptr<Communicator> host, cudaStream_t stream, int device, double timeout_s)
      : host_(std::move(host)), stream_(stream), timeout_s_(timeout_s) {
    ncclUniqueId id{};
    if (host_->is_root()) check_nccl(ncclGetUniqueId(&id), "unique id");
    host_->broadcast(&id, sizeof id, 0);
    DSMATH_CUDA(cudaSetDevice(device), "NCCL initialization");
    check_nccl(ncclCommInitRank(&comm_, host_->world_size(), id, host_->rank()), "initialization");
  }
  ~NcclCommunicator() override {
    if (side_ != nullptr) cudaStreamDestroy(side_);
    if (ready_ != nullptr) cudaEventDestroy(ready_);
    if (comm_ != nullptr) {
      // on an error path a peer may be gone: abort rather than wait for it
      if (std::uncaught_exceptions() > 0) ncclCommAbort(comm_);
      else ncclCommDestroy(comm_);
    }
  }

  int rank() const override { return host_->rank(); }
  int world_size() const override { return host_->world_size(); }
  int local_rank() const override { return host_->local_rank(); }
  std::string name() const override {
    int version = 0;
    ncclGetVersion(&version);
    return fmt::format("NCCL {}.{}.{} ({} ranks; host side: {})", version / 10000, (version / 100) % 100, version % 100,
                       world_size(), host_->name());
  }

  void allreduce_sum(Tensor data, int64_t n) override {
    if (n <= 0) return;
    check_nccl(ncclAllReduce(data.data, data.data, static_cast<size_t>(n), nccl_type(data.dtype, "all-reduce"), ncclSum,
                             comm_, stream_),
               "all-reduce");
    wait("all-reduce of gradients");
  }
  void allreduce_sum(std::span<double> values) override { host_->allreduce_sum(values); }

  // Overlap with backward: each call reduces a range on a side stream once the compute stream
  // has written it (an event orders them); compute goes on with the next layer meanwhile.
  void allreduce_sum_async(Tensor data, int64_t n) override {
    if (n <= 0) return;
    check_nccl(ncclAllReduce(data.data, data.data, static_cast<size_t>(n), nccl_type(data.dtype, "all-reduce"), ncclSum,
                             comm_, side_stream_after_compute()),
               "all-reduce");
  }
  // One reduce per owner range (a bucket clipped to the owners' shards), in one group.
  void reduce_to_owners_async(Tensor data, std::span<const int64_t> ranges) override {
    const ncclDataType_t type = nccl_type(data.dtype, "reduce");
    cudaStream_t side = side_stream_after_compute();
    check_nccl(ncclGroupStart(), "group start");
    for (size_t r = 0; r + 1 < ranges.size(); ++r)
      if (ranges[r + 1] > ranges[r])
        check_nccl(ncclReduce(data.offset(ranges[r]).data, data.offset(ranges[r]).data,
                              static_cast<size_t>(ranges[r + 1] - ranges[r]), type, ncclSum, static_cast<int>(r), comm_, side),
                   "reduce");
    check_nccl(ncclGroupEnd(), "group end");
  }
  void wait_all() override {
    if (!pending_) return;
    pending_ = false;
    wait("all-reduce of gradients (overlapped with backward)", side_);
  }

  // In place: NCCL's reduce-scatter writes this rank's shard where it lies in the buffer when
  // recvbuff = sendbuff + rank x shard, and its all-gather reads it from there.
  void reduce_scatter_sum(Tensor data, int64_t shard) override {
    check_nccl(ncclReduceScatter(data.data, data.offset(rank() * shard).data, static_cast<size_t>(shard),
                                 nccl_type(data.dtype, "reduce-scatter"), ncclSum, comm_, stream_),
               "reduce-scatter");
    wait("reduce-scatter of gradients");
  }
  void all_gather(Tensor data, int64_t shard) override {
    check_nccl(ncclAllGather(data.offset(rank() * shard).data, data.data, static_cast<size_t>(shard),
                             nccl_type(data.dtype, "all-gather"), comm_, stream_),
               "all-gather");
    wait("all-gather of weights");
  }

  void broadcast(void* host_data, size_t bytes, int root) override { host_->broadcast(host_data, bytes, root); }
  void barrier() override {
    wait("barrier");
    host_->barrier();
  }
  void note_step(int64_t step) override {
    step_ = step;
    host_->note_step(step);
  }

 private:
  // The side stream for overlapped reductions, ordered after everything queued so far on the
  // compute stream (the gradients just finished); compute goes on meanwhile.
  cudaStream_t side_stream_after_compute() {
    if (side_ == nullptr) {
      DSMATH_CUDA(cudaStreamCreateWithFlags(&side_, cudaStreamNonBlocking), "gradient-reduction stream");
      DSMATH_CUDA(cudaEventCreateWithFlags(&ready_, cudaEventDisableTiming), "gradient-reduction event");
    }
    DSMATH_CUDA(cudaEventRecord(ready_, stream_), "gradient-reduction event");
    DSMATH_CUDA(cudaStreamWaitEvent(side_, ready_, 0), "gradient-reduction event");
    pending_ = true;
    return side_;
  }

  // Waits for the queued collectives, failing (and aborting the communicator, which releases
  // the kernels spinning on a dead peer) after timeout_s: NCCL itself waits forever.
  void wait(const char* op, cudaStream_t stream = nullptr) {
    if (stream == nullptr) stream = stream_;
    const auto start = std::chrono::steady_clock::now();
    while (true) {
      const cudaError_t status = cudaStreamQuery(stream);
      if (status == cudaSuccess) return;
      if (status != cudaErrorNotReady) DSMATH_CUDA(status, op);
      ncclResult_t async = ncclSuccess;
      check_nccl(ncclCommGetAsyncError(comm_, &async), "error query");
      if (async != ncclSuccess && async != ncclInProgress) {
        ncclCommAbort(comm_);
        comm_ = nullptr;
        check_nccl(async, op);
      }
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (waited > timeout_s_) {
        ncclCommAbort(comm_);
        comm_ = nullptr;
        fail_hint("a rank died or hangs; the last complete checkpoint is intact: rerun with --resume",
                  "rank {}: NCCL {} at step {} has waited {:.0f} s for the other ranks (dist.timeout_s = {})", rank(), op,
                  step_, waited, timeout_s_);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  std::unique_ptr<Communicator> host_;
  cudaStream_t stream_;
  double timeout_s_;
  ncclComm_t comm_ = nullptr;
  int64_t step_ = 0;
  cudaStream_t side_ = nullptr;  // overlapped gradient reduction
  cudaEvent_t ready_ = nullptr;
  bool pending_ = false;
};
}  // namespace

bool available_in_build() { return true; }

std::unique_ptr<Communicator> create(std::unique_ptr<Communicator> host, const Backend& backend, double timeout_s) {
  const auto* gpu = dynamic_cast<const cuda::CudaBackend*>(&backend);
  if (gpu == nullptr) fail("NCCL collectives need the CUDA backend, got {}", backend.description());
  return std::make_unique<NcclCommunicator>(std::move(host), gpu->stream(), gpu->device(), timeout_s);
}

}  // namespace dsmath::nccl_bridge
