#include "core/progress.hpp"

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/strings.hpp"

namespace dsmath {

Progress::Progress(std::string label, uint64_t total, std::string unit, double plain_interval_s)
    : label_(std::move(label)), total_(total), unit_(std::move(unit)), plain_interval_s_(plain_interval_s) {}

Progress::~Progress() { log::clear_status(); }

std::string Progress::line(uint64_t done, const std::string& extra) const {
  const double t = clock_.seconds();
  const double rate = t > 0 ? static_cast<double>(done) / t : 0.0;
  std::string s = label_ + " ";
  if (total_ > 0) {
    s += fmt::format("{}/{} {} ({:.1f}%)", human_count(static_cast<double>(done)), human_count(static_cast<double>(total_)),
                     unit_, 100.0 * static_cast<double>(done) / static_cast<double>(total_));
  } else {
    s += fmt::format("{} {}", human_count(static_cast<double>(done)), unit_);
  }
  s += fmt::format(" | {}/s", human_count(rate));
  if (total_ > 0 && rate > 0 && done <= total_)
    s += " | ETA " + human_duration(static_cast<double>(total_ - done) / rate);
  s += " | " + human_duration(t);
  if (!extra.empty()) s += " | " + extra;
  return s;
}

void Progress::update(uint64_t done, const std::string& extra) {
  const double t = clock_.seconds();
  if (log::stderr_is_terminal()) {
    if (t - last_draw_s_ < 0.1 && done != total_) return;  // redraw at most 10 times a second
    last_draw_s_ = t;
    log::set_status(line(done, extra));
  } else if (t - last_draw_s_ >= plain_interval_s_) {
    last_draw_s_ = t;
    log::info("{}", line(done, extra));
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  log::clear_status();
}

}  // namespace dsmath
