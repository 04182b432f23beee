#include "core/log.hpp"

#include <cstdio>
#include <mutex>
#include <string>

#include <unistd.h>

namespace dsmath::log {
namespace {
struct LoggerState {
  std::mutex mutex;
  Level level = Level::info;
  int rank = 0;
  int world_size = 1;
  std::string status;  // current status line, empty when none is shown
  bool tty = isatty(fileno(stderr)) != 0;
};
LoggerState& state() {
  static LoggerState s;
  return s;
}
}  // namespace

void set_level(Level level) { state().level = level; }
Level level() { return state().level; }

bool is_primary() { return state().rank == 0; }

void set_rank(int rank, int world_size) {
  state().rank = rank;
  state().world_size = world_size;
}

void write(Level lvl, std::string_view message) {
  auto& s = state();
  // Non-zero ranks report only warnings and errors: N copies of every info line help nobody.
  if (s.world_size > 1 && s.rank != 0 && lvl < Level::warn) return;
  std::string line;
  if (s.world_size > 1) line += fmt::format("[rank {}] ", s.rank);
  if (lvl == Level::warn) line += "warning: ";
  if (lvl == Level::error) line += "error: ";
  if (lvl == Level::debug) line += "debug: ";
  line += message;
  line += '\n';
  std::lock_guard lock(s.mutex);
  if (!s.status.empty()) std::fputs("\r\033[K", stderr);
  std::fwrite(line.data(), 1, line.size(), stderr);
  if (!s.status.empty()) std::fwrite(s.status.data(), 1, s.status.size(), stderr);
  std::fflush(stderr);
}

bool stderr_is_terminal() { return state().tty; }

void set_status(std::string_view text) {
  auto& s = state();
  if (!s.tty || (s.world_size > 1 && s.rank != 0)) return;
  std::lock_guard lock(s.mutex);
  s.status = text;
  std::fputs("\r\033[K", stderr);
  std::fwrite(s.status.data(), 1, s.status.size(), stderr);
  std::fflush(stderr);
}

void clear_status() {
  auto& s = state();
  if (!s.tty) return;
  std::lock_guard lock(s.mutex);
  if (s.status.empty()) return;
  s.status.clear();
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

}  // namespace dsmath::log
