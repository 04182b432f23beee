#include "sandbox/sandbox_pool.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace dsmath::sandbox {

int parallel_slots(const SandboxConfig& config) {
  if (config.parallel > 0) return config.parallel;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::vector<SandboxResult> run_programs(const Sandbox& sandbox, const std::vector<std::string>& programs,
                                        const std::function<void(size_t done)>& progress) {
  std::vector<SandboxResult> results(programs.size());
  const int slots = std::min<int>(parallel_slots(sandbox.config()), static_cast<int>(std::max<size_t>(1, programs.size())));
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex mutex;  // guards first_error and the progress callback
  std::exception_ptr first_error;
  auto worker = [&](int slot) {
    for (size_t i; (i = next.fetch_add(1)) < programs.size();) {
      try {
        results[i] = sandbox.run(programs[i], slot);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
        next = programs.size();  // a sandbox that cannot start fails every run: stop early
        return;
      }
      const size_t d = ++done;
      if (progress) {
        std::lock_guard lock(mutex);
        progress(d);
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    for (int s = 1; s < slots; ++s) threads.emplace_back(worker, s);
    worker(0);
  }
  if (first_error) std::rethrow_exception(first_error);
  return results;
}

}  // namespace dsmath::sandbox
