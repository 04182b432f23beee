// One mistake on the emulated GPU, for the sanitizer that must catch it (tests/gpu/CMakeLists.txt
// registers each mode only in the build instrumented for it, and passes when the report appears):
//   missing-barrier: threads read shared memory other threads write, with no __syncthreads
//                    between: ThreadSanitizer reports a data race between two GPU threads
//   out-of-bounds:   a kernel writes one element past its buffer: AddressSanitizer reports a
//                    heap-buffer-overflow in the kernel
// Exit status 0 means the mistake went unnoticed; the sanitizer aborts the program otherwise.
#include <cstdio>
#include <cstring>
#include <vector>

#include "backend/create.hpp"
#include "cuda/cuda_backend.hpp"
#include "gpu/device_rule_kernels.cuh"

using namespace dsmath;

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "missing-barrier") != 0 && std::strcmp(argv[1], "out-of-bounds") != 0)) {
    std::fprintf(stderr, "usage: %s missing-barrier|out-of-bounds\n", argv[0]);
    return 2;
  }
  auto gpu = create_backend({"cuda", 1, 0});
  cudaStream_t stream = dynamic_cast<cuda::CudaBackend&>(*gpu).stream();
  const int n = 64;
  Buffer in = gpu->allocate(n * sizeof(int)), out = gpu->allocate(n * sizeof(int));
  std::vector<int> host(n);
  for (int i = 0; i < n; ++i) host[static_cast<size_t>(i)] = i;
  gpu->upload(in.data(), host.data(), host.size() * sizeof(int));
  if (std::strcmp(argv[1], "missing-barrier") == 0)
    test::rules::block_reverse(static_cast<int*>(out.data()), static_cast<const int*>(in.data()), n, false, stream);
  else
    test::rules::write_past_end(static_cast<int*>(out.data()), n, stream);
  gpu->synchronize();
  std::printf("the mistake went unnoticed\n");
  return 0;
}
