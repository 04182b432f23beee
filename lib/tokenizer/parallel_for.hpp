#pragma once
// OpenMP loop over [0, n) for the tokenizer's batch work. An exception must not leave an
// OpenMP region (the program would terminate): the first one is kept and rethrown after it.
#include <cstddef>
#include <exception>
#include <mutex>

#include <omp.h>

namespace dsmath {

// n_threads 0: all cores (OMP_NUM_THREADS when set).
inline int resolve_thread_count(int n_threads) { return n_threads > 0 ? n_threads : omp_get_max_threads(); }

template <class F>
void parallel_for(size_t n, int n_threads, F&& body) {
  std::exception_ptr error;
  std::mutex error_mutex;
#pragma omp parallel for schedule(dynamic, 8) num_threads(resolve_thread_count(n_threads))
  for (size_t i = 0; i < n; ++i) {
    try {
      body(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace dsmath
