#pragma once
// The threads of an emulated thread block and the device-side operations that coordinate them.
//
// A block's threads run as fibers on the OS thread that executes the grid (fiber.hpp), one block
// at a time. A fiber runs until it reaches a barrier (__syncthreads, a warp-collective operation)
// or returns; a barrier releases its threads once every live thread it names has arrived, and
// threads that have returned are no longer waited for, as on the hardware. Scheduling is depth
// first: the first runnable thread always runs next (in increasing thread order in even blocks,
// decreasing in odd ones), so the first warp runs up to a __syncthreads before the others start.
// A missing barrier therefore shows as a thread reading data its neighbours have not written
// yet, or overwriting data they have not read. A block whose live threads all wait with no
// barrier able to complete is a deadlock, and a fault. Under ThreadSanitizer every GPU thread is
// a thread of its own and the barriers are its only ordering (sanitizer_hooks.hpp), so a
// missing barrier is reported as a race whatever the schedule.
//
// Faults (a divergent collective, a misaligned ldmatrix row, a deadlock, an exception in kernel
// code) stop the grid; run_grid throws KernelFault naming the kernel, the block and the thread.
#include <vector_types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace dsmath::emu {

// CUDA's built-in variables, as the running GPU thread sees them.
struct ThreadContext {
  uint3 thread_idx;
  uint3 block_idx;
  dim3 block_dim;
  dim3 grid_dim;
};

// The GPU thread the calling code runs as (a fault outside a kernel).
const ThreadContext& current_thread();
int lane_id();  // linear thread index mod 32

void syncthreads();

// The warp-collective operations. All lanes named in a mask must call the same one with the same
// mask; a mask naming an exited lane is a fault except for syncwarp (CUDA Programming Guide,
// "Warp Shuffle Functions", "Synchronization Functions").
enum class Collective { syncwarp, shuffle, ldmatrix, mma };
const char* collective_name(Collective c);

// Lane `l` of the mask arrives with lane_args; the last to arrive calls complete(lane_args of
// every lane, indexed by lane, null outside the mask), then all of them continue. complete runs
// on the last lane's stack and may read and write every lane's arguments, which stay alive until
// their lanes continue.
using CollectiveComplete = void (*)(void* const* lane_args, unsigned mask);
void warp_collective(Collective kind, unsigned mask, void* lane_args, CollectiveComplete complete);
void syncwarp(unsigned mask);

// A kernel error found by the emulator: stops the grid and is reported with the thread's position.
[[noreturn]] void fault(const std::string& what);

// Vector accesses fault on a misaligned address, as on the hardware ("misaligned address").
[[noreturn]] void misaligned(const void* p, const char* what);
inline void check_aligned(const void* p, uintptr_t alignment, const char* what) {
  if (reinterpret_cast<uintptr_t>(p) % alignment != 0) misaligned(p, what);
}

// Whether [p, p + bytes) lies inside the running block's shared memory (dynamic or static).
bool in_shared_memory(const void* p, size_t bytes);

// cp.async (PTX ISA, "Data Movement and Conversion Instructions: cp.async"): the calling thread
// starts a copy of `src_bytes` (0 to 16; the rest of the 16 are zero-filled) from global `src` to
// shared `dst`. The copy lands only when a cp.async.wait_group covering its group runs: until
// then the destination holds 0xff bytes (NaN as bf16 or f32), so a thread that reads it too early,
// or a neighbour that reads it without a barrier after the wait, sees garbage, and the write
// counts both at the issue and at the wait for ThreadSanitizer. Faults on a destination outside
// shared memory and on addresses not 16-byte aligned.
void async_copy16(void* dst, const void* src, int src_bytes);
// cp.async.commit_group: the copies issued since the last commit form a group.
void async_commit();
// cp.async.wait_group n: completes every committed group but the n most recent.
void async_wait(int n);

// The block's dynamic shared memory (the launch's size; fresh for every block, poisoned with 0xff bytes).
void* dynamic_shared_memory();
// The running block's instance of the static shared-memory array identified by `key`
// (DSMATH_STATIC_SHARED): fresh for every block, poisoned with 0xff bytes.
void* static_shared_memory(const void* key, size_t bytes, size_t alignment);

struct KernelFault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One grid, as launch.cpp hands it over.
struct GridWork {
  const char* op = "";  // the launching op, for messages
  dim3 grid, block;
  size_t dynamic_smem_bytes = 0;
  std::function<void()> body;  // the kernel applied to its arguments
};

// Runs every block of the grid on the calling OS thread; throws KernelFault on the first fault.
void run_grid(const GridWork& work);

}  // namespace dsmath::emu
