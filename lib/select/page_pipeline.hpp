#pragma once
// The streaming loop every `dsmath data` command runs: pages are read in batches and, while
// the worker threads process one batch, the next is read on another thread. Each page is
// parsed (PageParser), then `work(page, thread_index)` runs on it unless it is malformed;
// `consume(batch)` then sees the whole batch, in input order, on the calling thread (where
// output is written). Malformed records are counted and the first few logged with file:line.
#include <omp.h>

#include <cstdint>
#include <exception>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "select/page_source.hpp"

namespace dsmath::select {

struct PipelineStats {
  uint64_t pages = 0;      // records read, malformed ones included
  uint64_t malformed = 0;  // JSONL lines and WET records skipped
  uint64_t bytes = 0;      // uncompressed input bytes
  double seconds = 0;
  uint64_t good_pages() const { return pages - malformed; }
  // Every record malformed is an input problem, not an empty result: throws, naming the
  // first input and pointing at the warnings.
  void fail_if_all_malformed(const PageSource& source) const;
};

void log_malformed_page(const PageSource& source, const Page& page, uint64_t malformed_so_far);

template <class Work, class Consume>
PipelineStats run_page_pipeline(PageSource& source, const PageFields& fields, int threads, const std::string& label,
                                Work&& work, Consume&& consume) {
  PipelineStats stats;
  std::vector<std::unique_ptr<PageParser>> parsers;
  for (int t = 0; t < threads; ++t) parsers.push_back(std::make_unique<PageParser>(fields));
  Progress progress(label, 0, "pages");
  std::vector<Page> batch, next;
  bool have = source.next_batch(batch);
  while (have) {
    auto reading = std::async(std::launch::async, [&] { return source.next_batch(next); });
    const auto n = static_cast<int64_t>(batch.size());
    std::exception_ptr failure;  // an exception must not leave an OpenMP region
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads)
    for (int64_t i = 0; i < n; ++i) {
      Page& page = batch[static_cast<size_t>(i)];
      const int t = omp_get_thread_num();
      try {
        parsers[static_cast<size_t>(t)]->parse(page);
        if (page.error.empty()) work(page, t);
      } catch (...) {
#pragma omp critical(dsmath_select_pipeline_failure)
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) {
      reading.wait();
      std::rethrow_exception(failure);
    }
    for (const Page& page : batch) {
      ++stats.pages;
      if (!page.error.empty()) log_malformed_page(source, page, ++stats.malformed);
    }
    consume(batch);
    have = reading.get();
    std::swap(batch, next);
    progress.update(stats.pages, human_bytes(static_cast<double>(source.bytes_read())));
  }
  progress.finish();
  stats.seconds = progress.elapsed_s();
  stats.bytes = source.bytes_read();
  stats.pages += source.wet_malformed();
  stats.malformed += source.wet_malformed();
  return stats;
}

}  // namespace dsmath::select
