// The NCCL subset the CUDA backend's communicator uses (cuda/nccl_communicator.cpp), on the
// emulated GPU, for one rank: initialization, the collectives as stream tasks with their exact
// footprints (so that a collective on a side stream that no event orders after the kernels
// writing its buffer is reported as a stream race, device_memory.hpp), the in-place conventions
// of the NCCL documentation ("In-place Operations"), and the error queries. A communicator of
// more than one rank is refused: several ranks need several GPUs (docs/cuda.md).
#include <nccl.h>

#include <fmt/format.h>

#include <cstring>
#include <mutex>
#include <string>

#include "cuda/emu/device.hpp"
#include "cuda/emu/errors.hpp"

struct ncclComm {
  uint32_t magic;
  bool aborted;
};

namespace {
using dsmath::emu::Device;
using dsmath::emu::Footprint;
using dsmath::emu::StreamState;
using dsmath::emu::Task;

constexpr uint32_t kCommMagic = 0x4e43434c;
thread_local std::string tls_last_error;
int group_depth = 0;

ncclResult_t fail(ncclResult_t r, std::string what) {
  tls_last_error = "emulated NCCL: " + std::move(what);
  return r;
}

size_t type_bytes(ncclDataType_t t) {
  switch (t) {
    case ncclInt8:
    case ncclUint8: return 1;
    case ncclFloat16:
    case ncclBfloat16: return 2;
    case ncclInt32:
    case ncclUint32:
    case ncclFloat32: return 4;
    case ncclInt64:
    case ncclUint64:
    case ncclFloat64: return 8;
    default: return 0;
  }
}

bool valid(ncclComm_t c) { return c != nullptr && c->magic == kCommMagic && !c->aborted; }

// recv[0, count) = send[0, count) as a task on the stream: what every collective is on one rank.
ncclResult_t one_rank_copy(const char* op, const void* send, void* recv, size_t count, ncclDataType_t type, ncclComm_t comm,
                           cudaStream_t stream) {
  if (!valid(comm)) return fail(ncclInvalidArgument, fmt::format("{}: the communicator is not valid (destroyed or aborted)", op));
  const size_t elem = type_bytes(type);
  if (elem == 0) return fail(ncclInvalidArgument, fmt::format("{}: data type {}", op, int(type)));
  const size_t bytes = count * elem;
  Device& d = Device::get();
  std::lock_guard lock(d.mutex);
  if (dsmath::emu::sticky_error() != cudaSuccess) return fail(ncclUnhandledCudaError, "the device has faulted");
  StreamState* s = d.stream(stream);
  if (s == nullptr) return fail(ncclInvalidArgument, fmt::format("{}: destroyed or unknown stream", op));
  if (bytes == 0) return ncclSuccess;
  if (!d.memory.contains(send, bytes) || !d.memory.contains(recv, bytes))
    return fail(ncclInvalidArgument, fmt::format("{}: {} bytes at send {} / recv {} are not inside device allocations", op,
                                                 bytes, send, recv));
  Task t;
  t.name = op;
  t.footprints.push_back(Footprint{send, bytes, false, "its send buffer"});
  t.footprints.push_back(Footprint{recv, bytes, true, "its receive buffer"});
  t.run = [send, recv, bytes] {
    if (send != recv) std::memmove(recv, send, bytes);
  };
  if (d.enqueue(s, std::move(t)) != cudaSuccess) return fail(ncclUnhandledCudaError, dsmath::emu::error_string(dsmath::emu::sticky_error()));
  return ncclSuccess;
}
}  // namespace

extern "C" {

ncclResult_t ncclGetVersion(int* version) {
  *version = NCCL_VERSION_CODE;
  return ncclSuccess;
}
ncclResult_t ncclGetUniqueId(ncclUniqueId* id) {
  std::memset(id, 0, sizeof *id);
  std::memcpy(id->internal, "dsmath-emu", 10);
  return ncclSuccess;
}
ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId, int rank) {
  *comm = nullptr;
  if (nranks != 1 || rank != 0)
    return fail(ncclInvalidUsage, fmt::format("communicator of {} ranks (rank {}): the emulated GPU is one device; several "
                                              "ranks need several GPUs",
                                              nranks, rank));
  *comm = new ncclComm{kCommMagic, false};
  return ncclSuccess;
}
ncclResult_t ncclCommDestroy(ncclComm_t comm) {
  if (comm == nullptr || comm->magic != kCommMagic) return fail(ncclInvalidArgument, "destroy: not a communicator");
  {
    Device& d = Device::get();
    std::lock_guard lock(d.mutex);
    d.synchronize_all();  // ncclCommDestroy waits for the communicator's queued operations
  }
  comm->magic = 0;
  delete comm;
  return ncclSuccess;
}
ncclResult_t ncclCommAbort(ncclComm_t comm) {
  if (comm == nullptr || comm->magic != kCommMagic) return fail(ncclInvalidArgument, "abort: not a communicator");
  comm->magic = 0;
  delete comm;
  return ncclSuccess;
}
ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* async_error) {
  if (comm == nullptr || comm->magic != kCommMagic) return fail(ncclInvalidArgument, "async error query: not a communicator");
  *async_error = dsmath::emu::sticky_error() == cudaSuccess ? ncclSuccess : ncclUnhandledCudaError;
  return ncclSuccess;
}
ncclResult_t ncclCommCount(const ncclComm_t comm, int* count) {
  if (!valid(comm)) return fail(ncclInvalidArgument, "count: not a communicator");
  *count = 1;
  return ncclSuccess;
}
ncclResult_t ncclCommUserRank(const ncclComm_t comm, int* rank) {
  if (!valid(comm)) return fail(ncclInvalidArgument, "rank: not a communicator");
  *rank = 0;
  return ncclSuccess;
}
const char* ncclGetErrorString(ncclResult_t r) {
  switch (r) {
    case ncclSuccess: return "no error";
    case ncclUnhandledCudaError: return "unhandled cuda error";
    case ncclSystemError: return "unhandled system error";
    case ncclInternalError: return "internal error";
    case ncclInvalidArgument: return "invalid argument";
    case ncclInvalidUsage: return "invalid usage";
    case ncclRemoteError: return "remote process exited or there was a network error";
    case ncclInProgress: return "NCCL operation in progress";
    default: return "unknown result code";
  }
}
const char* ncclGetLastError(ncclComm_t) { return tls_last_error.c_str(); }

ncclResult_t ncclGroupStart() {
  ++group_depth;
  return ncclSuccess;
}
ncclResult_t ncclGroupEnd() {
  if (group_depth == 0) return fail(ncclInvalidUsage, "ncclGroupEnd without ncclGroupStart");
  --group_depth;
  return ncclSuccess;
}

ncclResult_t ncclAllReduce(const void* send, void* recv, size_t count, ncclDataType_t type, ncclRedOp_t, ncclComm_t comm,
                           cudaStream_t stream) {
  return one_rank_copy("ncclAllReduce", send, recv, count, type, comm, stream);
}
ncclResult_t ncclReduce(const void* send, void* recv, size_t count, ncclDataType_t type, ncclRedOp_t, int root, ncclComm_t comm,
                        cudaStream_t stream) {
  if (root != 0) return fail(ncclInvalidArgument, fmt::format("ncclReduce: root {} of a one-rank communicator", root));
  return one_rank_copy("ncclReduce", send, recv, count, type, comm, stream);
}
ncclResult_t ncclBroadcast(const void* send, void* recv, size_t count, ncclDataType_t type, int root, ncclComm_t comm,
                           cudaStream_t stream) {
  if (root != 0) return fail(ncclInvalidArgument, fmt::format("ncclBroadcast: root {} of a one-rank communicator", root));
  return one_rank_copy("ncclBroadcast", send, recv, count, type, comm, stream);
}
// rank 0 of 1: the shard is the whole buffer, in place when recv == send + 0 * recvcount
ncclResult_t ncclReduceScatter(const void* send, void* recv, size_t recvcount, ncclDataType_t type, ncclRedOp_t,
                               ncclComm_t comm, cudaStream_t stream) {
  return one_rank_copy("ncclReduceScatter", send, recv, recvcount, type, comm, stream);
}
ncclResult_t ncclAllGather(const void* send, void* recv, size_t sendcount, ncclDataType_t type, ncclComm_t comm,
                           cudaStream_t stream) {
  return one_rank_copy("ncclAllGather", send, recv, sendcount, type, comm, stream);
}

}  // extern "C"
