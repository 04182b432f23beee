#pragma once
// One emulated GPU thread's execution context: a Boost.Context fiber with its own stack (a guard
// page below it), switched to and from by the block runner on the same OS thread. A switch costs
// about 50 ns where an OS-thread barrier costs hundreds of microseconds (docs/cuda.md), which is
// what makes warp-level kernels affordable on two CPU cores. Sanitizers are told about every
// switch (sanitizer_hooks.hpp).
#include <boost/context/fiber.hpp>

#include <cstddef>
#include <functional>

namespace dsmath::emu {

class Fiber {
 public:
  // `main` runs inside the fiber, once; it may call yield() any number of times.
  Fiber(size_t stack_bytes, std::function<void()> main);
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // From the runner: continue the fiber until it yields or its main returns.
  void resume();
  // From inside the fiber: back to the runner that resumed it.
  void yield();
  bool finished() const { return finished_; }

 private:
  boost::context::fiber self_;       // the fiber, while it is suspended
  boost::context::fiber scheduler_;  // the runner, while the fiber runs
  std::function<void()> main_;
  void* stack_bottom_ = nullptr;
  size_t stack_bytes_ = 0;
  bool finished_ = false;
  // sanitizer state
  void* tsan_fiber_ = nullptr;
  void* tsan_scheduler_ = nullptr;
  void* asan_fake_stack_ = nullptr;
  const void* scheduler_stack_bottom_ = nullptr;
  size_t scheduler_stack_bytes_ = 0;
};

}  // namespace dsmath::emu
