// The GPU's rules, as the hardware enforces them and the emulated GPU must too: launch limits
// (threads per block, grid size, dynamic shared memory above 48 KiB only after opting in, up to
// 227 KiB) are errors naming the op; a misaligned vector access faults; a captured graph replays
// its ops and reads pinned host memory at each replay; waiting for the device during a capture
// fails it. In an emulated build, also what only the emulator can report: barriers that wait for
// each other, a shuffle naming an exited lane, a missing barrier, a stream race, a host pointer
// given to a kernel, device memory nobody wrote, a capture through pageable memory, and a graph
// replayed after its memory was freed. A fault leaves the device unusable, so each case faults at most once.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>

#include "cuda/check.cuh"
#include "cuda/cuda_backend.hpp"
#include "device_rule_kernels.cuh"
#include "gpu_test_util.hpp"

using namespace dsmath;
using namespace dsmath::test;
using Catch::Contains;

namespace {
cudaStream_t stream_of(Backend& b) { return dynamic_cast<cuda::CudaBackend&>(b).stream(); }

// A second stream and an event, released at the end of the case whatever happened.
struct SideStream {
  cudaStream_t stream = nullptr;
  cudaEvent_t event = nullptr;
  SideStream() {
    REQUIRE(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) == cudaSuccess);
    REQUIRE(cudaEventCreateWithFlags(&event, cudaEventDisableTiming) == cudaSuccess);
  }
  ~SideStream() {
    cudaEventDestroy(event);
    cudaStreamDestroy(stream);
    cudaGetLastError();
  }
  SideStream(const SideStream&) = delete;
  SideStream& operator=(const SideStream&) = delete;
};
}  // namespace

TEST_CASE("gpu launch limits of sm_90 are errors naming the op", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  cudaStream_t s = stream_of(*gpu);
  Buffer out = gpu->allocate(4096 * sizeof(int));
  int* p = static_cast<int*>(out.data());
  CHECK_NOTHROW(rules::fill_index(p, 4096, 4, 1024, 0, s));  // at the limits: fine
  CHECK_THROWS_WITH(rules::fill_index(p, 4096, 4, 1025, 0, s), Contains("rules: fill_index"));
  CHECK_THROWS_WITH(rules::fill_index(p, 4096, 4, dim3(16, 1, 65), 0, s), Contains("rules: fill_index"));
  CHECK_THROWS_WITH(rules::fill_index(p, 4096, dim3(1, 65536), 1, 0, s), Contains("rules: fill_index"));
  CHECK_NOTHROW(rules::fill_index(p, 4096, dim3(1, 65535), 1, 0, s));  // one thread a block: cheap to emulate
  // dynamic shared memory: 48 KiB without asking, more only after cudaFuncSetAttribute, at most 227 KiB
  CHECK_NOTHROW(rules::fill_index(p, 4096, 4, 128, 48 * 1024, s));
  CHECK_THROWS_WITH(rules::fill_index(p, 4096, 4, 128, 48 * 1024 + 16, s), Contains("rules: fill_index"));
  REQUIRE(rules::allow_dynamic_smem(100 * 1024) == cudaSuccess);
  CHECK_NOTHROW(rules::fill_index(p, 4096, 4, 128, 100 * 1024, s));
  CHECK_THROWS_WITH(rules::fill_index(p, 4096, 4, 128, 100 * 1024 + 16, s), Contains("rules: fill_index"));
  CHECK(rules::allow_dynamic_smem(227 * 1024 + 1024) != cudaSuccess);
  cudaGetLastError();
  // the launches that were accepted ran
  std::vector<int> host(4096);
  gpu->download(host.data(), p, host.size() * sizeof(int));
  for (int i = 0; i < 4096; ++i) REQUIRE(host[static_cast<size_t>(i)] == i);
}

TEST_CASE("gpu a misaligned 16-byte access faults", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  Buffer src = gpu->allocate(64), dst = gpu->allocate(64);
  auto* s = static_cast<unsigned char*>(src.data());
  auto* d = static_cast<unsigned char*>(dst.data());
  rules::vector_copy(d, s, stream_of(*gpu));  // aligned: fine
  gpu->synchronize();
  rules::vector_copy(d, s + 8, stream_of(*gpu));
  CHECK_THROWS_WITH(gpu->synchronize(), Contains("misaligned address"));
}

TEST_CASE("gpu a captured graph replays its ops, reading pinned host memory at each replay", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  Buffer in = gpu->allocate_pinned(256 * sizeof(int)), out = gpu->allocate_pinned(512 * sizeof(int));
  Buffer a = gpu->allocate(256 * sizeof(int)), b = gpu->allocate(256 * sizeof(int));
  auto* host_in = static_cast<int*>(in.data());
  auto* host_out = static_cast<int*>(out.data());
  auto* pa = static_cast<int*>(a.data());
  auto* pb = static_cast<int*>(b.data());
  for (int i = 0; i < 256; ++i) host_in[i] = 1000 + i;
  std::memset(host_out, 0, 512 * sizeof(int));
  // input -> a, a kernel writing b, then a and b back out
  auto work = [&] {
    gpu->upload_async(pa, host_in, 256 * sizeof(int));
    rules::fill_index(pb, 256, 2, 128, 0, stream_of(*gpu));
    gpu->download_async(host_out, pa, 256 * sizeof(int));
    gpu->download_async(host_out + 256, pb, 256 * sizeof(int));
  };
  std::unique_ptr<CapturedWork> graph = gpu->capture(work);
  REQUIRE(graph != nullptr);
  gpu->synchronize();
  CHECK(host_out[0] != 1000);  // captured, not run
  for (int replay = 0; replay < 3; ++replay) {
    for (int i = 0; i < 256; ++i) host_in[i] = 100 * replay + i;  // the host changes the pinned input
    std::memset(host_out, 0, 512 * sizeof(int));
    graph->replay();
    gpu->synchronize();
    for (int i = 0; i < 256; ++i) {
      REQUIRE(host_out[i] == 100 * replay + i);
      REQUIRE(host_out[256 + i] == i);
    }
  }
}

TEST_CASE("gpu a call that waits for the device during a capture fails, and the capture with it", "[gpu]") {
  DSMATH_SKIP_WITHOUT_GPU();
  auto gpu = make_gpu();
  Buffer a = gpu->allocate(256 * sizeof(int));
  std::vector<int> pageable(256, 7);
  // a synchronous upload (Backend::upload waits for the stream) inside the captured work
  CHECK_THROWS_WITH(gpu->capture([&] {
    rules::fill_index(static_cast<int*>(a.data()), 256, 2, 128, 0, stream_of(*gpu));
    gpu->upload(a.data(), pageable.data(), 256 * sizeof(int));
  }),
                    Contains("upload"));
  cudaGetLastError();
  // the stream is usable again, and nothing of the failed capture ran or was kept
  cudaStreamCaptureStatus status{};
  REQUIRE(cudaStreamIsCapturing(stream_of(*gpu), &status) == cudaSuccess);
  CHECK(status == cudaStreamCaptureStatusNone);
  gpu->upload(a.data(), pageable.data(), 256 * sizeof(int));
  std::vector<int> back(256);
  gpu->download(back.data(), a.data(), 256 * sizeof(int));
  CHECK(back == pageable);
}

#ifdef DSMATH_CUDA_EMULATION
TEST_CASE("emulated GPU: a graph's copy through pageable memory, an allocation or a wait in a capture is refused", "[gpu]") {
  auto gpu = make_gpu();
  cudaStream_t s = stream_of(*gpu);
  Buffer a = gpu->allocate(64 * sizeof(int));
  std::vector<int> pageable(64, 1);
  auto refused = [&](const std::function<cudaError_t()>& call, const char* what) {
    INFO(what);
    REQUIRE(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal) == cudaSuccess);
    const cudaError_t e = call();
    CHECK(e == cudaErrorStreamCaptureUnsupported);
    CHECK_THAT(std::string(cudaGetErrorString(e)), Contains(what));
    cudaGraph_t g = nullptr;
    CHECK(cudaStreamEndCapture(s, &g) == cudaErrorStreamCaptureInvalidated);
    CHECK(g == nullptr);
    cudaGetLastError();
  };
  refused([&] { return cudaMemcpyAsync(a.data(), pageable.data(), 64 * sizeof(int), cudaMemcpyHostToDevice, s); },
          "pageable host memory");
  refused([&] { return cudaMemcpyAsync(pageable.data(), a.data(), 64 * sizeof(int), cudaMemcpyDeviceToHost, s); },
          "pageable host memory");
  refused([&] {
    void* p = nullptr;
    return cudaMalloc(&p, 64);
  }, "cudaMalloc");
  refused([&] { return cudaStreamSynchronize(s); }, "cudaStreamSynchronize");
  refused([&] { return cudaDeviceSynchronize(); }, "cudaDeviceSynchronize");
  refused([&] { return cudaMemcpy(a.data(), pageable.data(), 64 * sizeof(int), cudaMemcpyHostToDevice); }, "cudaMemcpy");
}

TEST_CASE("emulated GPU: a graph replayed after memory it captured was freed is an illegal address", "[gpu]") {
  auto gpu = make_gpu();
  Buffer keep = gpu->allocate(256 * sizeof(int));
  std::unique_ptr<CapturedWork> graph;
  {
    Buffer gone = gpu->allocate(256 * sizeof(int));
    rules::fill_index(static_cast<int*>(gone.data()), 256, 2, 128, 0, stream_of(*gpu));  // uncaptured first
    graph = gpu->capture([&] { rules::fill_index(static_cast<int*>(gone.data()), 256, 2, 128, 0, stream_of(*gpu)); });
    graph->replay();
    gpu->synchronize();
  }
  CHECK_THROWS_WITH(graph->replay(), Contains("rules: fill_index") && Contains("freed since"));
}

TEST_CASE("emulated GPU: threads waiting at barriers that cannot complete are a reported deadlock", "[gpu]") {
  auto gpu = make_gpu();
  Buffer out = gpu->allocate(32 * sizeof(int));
  rules::divergent_barrier(static_cast<int*>(out.data()), stream_of(*gpu));
  CHECK_THROWS_WITH(gpu->synchronize(), Contains("rules: divergent_barrier") && Contains("deadlock"));
}

TEST_CASE("emulated GPU: a shuffle whose mask names an exited lane is a fault", "[gpu]") {
  auto gpu = make_gpu();
  Buffer out = gpu->allocate(32 * sizeof(int));
  rules::shuffle_after_exit(static_cast<int*>(out.data()), stream_of(*gpu));
  CHECK_THROWS_WITH(gpu->synchronize(), Contains("rules: shuffle_after_exit") && Contains("__shfl_xor_sync") &&
                                            Contains("exited"));
}

TEST_CASE("emulated GPU: a missing __syncthreads gives wrong results, not right ones by luck", "[gpu]") {
  auto gpu = make_gpu();
  const int n = 256;
  std::vector<int> in(n);
  for (int run = 0; run < 2; ++run) {
    const bool with_barrier = run == 1;
    for (int t = 0; t < n; ++t) in[static_cast<size_t>(t)] = 1000 * (run + 1) + t;  // no stale value is right
    Buffer din = to_device(*gpu, in), dout = gpu->allocate(n * sizeof(int));
    rules::block_reverse(static_cast<int*>(dout.data()), static_cast<const int*>(din.data()), n, with_barrier,
                         stream_of(*gpu));
    std::vector<int> out(n);
    gpu->download(out.data(), dout.data(), n * sizeof(int));
    int right = 0;
    for (int t = 0; t < n; ++t) right += out[static_cast<size_t>(t)] == in[static_cast<size_t>(n - 1 - t)];
    CAPTURE(with_barrier, right);
    if (with_barrier) CHECK(right == n);
    else CHECK(right < n);
  }
}

TEST_CASE("emulated GPU: work on another stream without an event wait is a reported race", "[gpu]") {
  auto gpu = make_gpu();
  cudaStream_t compute = stream_of(*gpu);
  const SideStream other;
  cudaStream_t side = other.stream;
  cudaEvent_t ready = other.event;
  Buffer a = gpu->allocate(1024 * sizeof(int)), b = gpu->allocate(1024 * sizeof(int));
  int* pa = static_cast<int*>(a.data());
  // ordered: the copy on the side stream waits for the kernel that writes its source
  rules::fill_index(pa, 1024, 4, 256, 0, compute);
  REQUIRE(cudaEventRecord(ready, compute) == cudaSuccess);
  REQUIRE(cudaStreamWaitEvent(side, ready, 0) == cudaSuccess);
  REQUIRE(cudaMemcpyAsync(b.data(), pa, 1024 * sizeof(int), cudaMemcpyDeviceToDevice, side) == cudaSuccess);
  REQUIRE(cudaStreamSynchronize(side) == cudaSuccess);
  std::vector<int> host(1024);
  gpu->download(host.data(), b.data(), host.size() * sizeof(int));
  CHECK(host[1023] == 1023);
  // unordered: the same copy with no wait
  rules::fill_index(pa, 1024, 4, 256, 0, compute);
  const cudaError_t e = cudaMemcpyAsync(b.data(), pa, 1024 * sizeof(int), cudaMemcpyDeviceToDevice, side);
  CHECK(e != cudaSuccess);
  CHECK_THAT(std::string(cudaGetErrorString(e)), Contains("stream race") && Contains("rules: fill_index") &&
                                                     Contains("cudaMemcpyAsync"));
}

TEST_CASE("emulated GPU: a host pointer given to a kernel is an illegal address", "[gpu]") {
  auto gpu = make_gpu();
  std::vector<int> host(1024);
  CHECK_THROWS_WITH(rules::fill_index(host.data(), 1024, 4, 256, 0, stream_of(*gpu)),
                    Contains("rules: fill_index") && Contains("not device memory"));
}

TEST_CASE("emulated GPU: device memory nobody wrote reads as NaN", "[gpu]") {
  auto gpu = make_gpu();
  Buffer fresh = gpu->allocate(64 * sizeof(float));
  std::vector<float> host(64);
  gpu->download(host.data(), fresh.data(), host.size() * sizeof(float));
  for (float v : host) CHECK(std::isnan(v));
}
#endif
