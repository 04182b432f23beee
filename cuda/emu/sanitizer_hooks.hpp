#pragma once
// The sanitizer annotations the emulated GPU makes (no-ops in a plain build). GPU threads run as
// fibers on one OS thread (fiber.hpp); ThreadSanitizer sees each as a thread of its own, with no
// ordering between them except the barriers, which the block runner declares as release/acquire
// pairs. The runner's own bookkeeping is hidden from it (ignore_begin/end), so that a report is
// always about kernel code. AddressSanitizer is told about every stack switch.
#include <cstddef>

#if defined(__SANITIZE_THREAD__)
#define DSMATH_EMU_TSAN 1
#include <sanitizer/tsan_interface.h>
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif
#if defined(__SANITIZE_ADDRESS__)
#define DSMATH_EMU_ASAN 1
#include <sanitizer/common_interface_defs.h>
#endif

namespace dsmath::emu::sanitizer {

// Happens-before edges between GPU threads (a barrier, a collective, a launch's start and end).
inline void release(const void* token) {
#ifdef DSMATH_EMU_TSAN
  __tsan_release(const_cast<void*>(token));
#else
  (void)token;
#endif
}
inline void acquire(const void* token) {
#ifdef DSMATH_EMU_TSAN
  __tsan_acquire(const_cast<void*>(token));
#else
  (void)token;
#endif
}

// Emulator bookkeeping shared by the fibers of a block, which TSan must not mistake for kernel races.
class IgnoreScope {
 public:
#ifdef DSMATH_EMU_TSAN
  IgnoreScope() { __tsan_ignore_thread_begin(); }
  ~IgnoreScope() { __tsan_ignore_thread_end(); }
#else
  IgnoreScope() = default;
#endif
  IgnoreScope(const IgnoreScope&) = delete;
  IgnoreScope& operator=(const IgnoreScope&) = delete;
};

}  // namespace dsmath::emu::sanitizer
