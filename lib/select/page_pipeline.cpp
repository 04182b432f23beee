#include "select/page_pipeline.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace dsmath::select {

namespace {
constexpr uint64_t kMalformedLogged = 10;
}

void PipelineStats::fail_if_all_malformed(const PageSource& source) const {
  if (pages == 0 || malformed < pages) return;
  fail_hint("each line must be a JSON object with a string 'text' field (or pass WET files); see the warnings above",
            "all {} records of {}{} are malformed", pages, source.inputs().front().string(),
            source.inputs().size() > 1 ? fmt::format(" and {} more files", source.inputs().size() - 1) : "");
}

void log_malformed_page(const PageSource& source, const Page& page, uint64_t malformed_so_far) {
  if (malformed_so_far <= kMalformedLogged)
    log::warn("{}: skipping malformed record: {}", source.where(page), page.error);
  if (malformed_so_far == kMalformedLogged) log::warn("further malformed records are only counted");
}

}  // namespace dsmath::select
