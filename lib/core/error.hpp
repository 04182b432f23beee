#pragma once
// Errors carry what went wrong with its context (file, key, step, value) and a hint for the
// fix. Every user-facing failure is an Error; main() prints it and exits non-zero.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace dsmath {

class Error : public std::runtime_error {
 public:
  explicit Error(std::string what, std::string hint = {})
      : std::runtime_error(std::move(what)), hint_(std::move(hint)) {}
  const std::string& hint() const { return hint_; }

 private:
  std::string hint_;
};

// Throws Error with a formatted message: fail("shard {}: bad magic", path).
template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

// Same with a hint line for the user.
template <class... Args>
[[noreturn]] void fail_hint(std::string hint, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...), std::move(hint));
}

// Internal invariant (a bug in dsmath, not bad input): names the check and the location.
#define DSMATH_CHECK(cond, ...)                                                            \
  do {                                                                                     \
    if (!(cond))                                                                           \
      throw ::dsmath::Error(fmt::format("internal check failed at {}:{}: {} ({})",        \
                                        __FILE__, __LINE__, #cond,                         \
                                        fmt::format(__VA_ARGS__)));                        \
  } while (0)

}  // namespace dsmath
