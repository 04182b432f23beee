#include "cuda/emu/fiber.hpp"

#include <boost/context/protected_fixedsize_stack.hpp>

#include <utility>

#include "cuda/emu/sanitizer_hooks.hpp"

namespace dsmath::emu {

namespace {
namespace bctx = boost::context;

// Boost's guarded stack, remembering where it lies (AddressSanitizer needs the bounds).
struct RecordingStack {
  bctx::protected_fixedsize_stack inner;
  void** bottom;
  size_t* bytes;
  bctx::stack_context allocate() {
    bctx::stack_context sc = inner.allocate();
    *bottom = static_cast<char*>(sc.sp) - sc.size;
    *bytes = sc.size;
    return sc;
  }
  void deallocate(bctx::stack_context& sc) noexcept { inner.deallocate(sc); }
};
}  // namespace

Fiber::Fiber(size_t stack_bytes, std::function<void()> main) : main_(std::move(main)) {
  self_ = bctx::fiber(std::allocator_arg, RecordingStack{bctx::protected_fixedsize_stack(stack_bytes), &stack_bottom_, &stack_bytes_},
                      [this](bctx::fiber&& scheduler) {
                        scheduler_ = std::move(scheduler);
#ifdef DSMATH_EMU_ASAN
                        __sanitizer_finish_switch_fiber(nullptr, &scheduler_stack_bottom_, &scheduler_stack_bytes_);
#endif
                        main_();
                        finished_ = true;
#ifdef DSMATH_EMU_TSAN
                        // the last switch synchronizes: the runner destroys the fiber after it
                        __tsan_switch_to_fiber(tsan_scheduler_, 0);
#endif
#ifdef DSMATH_EMU_ASAN
                        __sanitizer_start_switch_fiber(nullptr, scheduler_stack_bottom_, scheduler_stack_bytes_);
#endif
                        return std::move(scheduler_);
                      });
#ifdef DSMATH_EMU_TSAN
  tsan_fiber_ = __tsan_create_fiber(0);
#endif
}

Fiber::~Fiber() {
  // A fiber destroyed while suspended is unwound by Boost (forced_unwind); the block runner only
  // destroys finished ones.
#ifdef DSMATH_EMU_TSAN
  if (tsan_fiber_ != nullptr) __tsan_destroy_fiber(tsan_fiber_);
#endif
}

void Fiber::resume() {
#ifdef DSMATH_EMU_TSAN
  tsan_scheduler_ = __tsan_get_current_fiber();
  __tsan_switch_to_fiber(tsan_fiber_, __tsan_switch_to_fiber_no_sync);
#endif
#ifdef DSMATH_EMU_ASAN
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, stack_bottom_, stack_bytes_);
#endif
  self_ = std::move(self_).resume();
#ifdef DSMATH_EMU_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

void Fiber::yield() {
#ifdef DSMATH_EMU_TSAN
  __tsan_switch_to_fiber(tsan_scheduler_, __tsan_switch_to_fiber_no_sync);
#endif
#ifdef DSMATH_EMU_ASAN
  __sanitizer_start_switch_fiber(&asan_fake_stack_, scheduler_stack_bottom_, scheduler_stack_bytes_);
#endif
  scheduler_ = std::move(scheduler_).resume();
#ifdef DSMATH_EMU_ASAN
  __sanitizer_finish_switch_fiber(asan_fake_stack_, &scheduler_stack_bottom_, &scheduler_stack_bytes_);
#endif
}

}  // namespace dsmath::emu
