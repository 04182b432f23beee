#pragma once
// The process-wide logger, the one piece of global state (DESIGN.md section 6). Lines go to
// stderr; stdout is kept for command results (summaries, JSON) so scripts can capture it.
#include <string_view>

#include <fmt/format.h>

namespace dsmath::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, quiet = 4 };

void set_level(Level level);
Level level();
// In multi-process runs every line is prefixed with the rank, and by default only rank 0
// prints info lines.
void set_rank(int rank, int world_size);
// rank 0 of a multi-process run, or the only process: the one that prints results on stdout
bool is_primary();
void write(Level level, std::string_view message);
// A transient status line (progress bar) shown at the bottom of a terminal: redrawn in place,
// cleared and redrawn around regular log lines. Ignored when stderr is not a terminal.
void set_status(std::string_view text);
void clear_status();
bool stderr_is_terminal();

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::debug) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::info) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::warn) write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace dsmath::log
