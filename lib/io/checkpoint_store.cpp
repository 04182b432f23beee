#include "io/checkpoint_store.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <csignal>
#include <cstdlib>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"

namespace dsmath {

namespace fs = std::filesystem;

namespace {
std::optional<int64_t> parse_step_dir(const std::string& name) {
  if (name.size() != 12 || name.rfind("step-", 0) != 0) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 5; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}
}  // namespace

void maybe_inject_fault(const std::string& point, int64_t step, int rank) {
  const char* env = std::getenv("DSMATH_FAULT_INJECT");
  if (env == nullptr) return;
  std::string spec = env;
  if (auto at = spec.find("@rank"); at != std::string::npos) {
    if (spec.substr(at + 5) != std::to_string(rank)) return;
    spec.resize(at);
  }
  const std::string when = ":" + std::to_string(step);
  if (spec == point + when) {
    log::warn("DSMATH_FAULT_INJECT: killing the process at {} {}", point, step);
    std::raise(SIGKILL);
  }
  if (point == "kill_after_step" && spec == "hang_after_step" + when) {
    log::warn("DSMATH_FAULT_INJECT: hanging at step {}", step);
    while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

CheckpointStore::CheckpointStore(fs::path root, int keep_last) : root_(std::move(root)), keep_last_(keep_last) {}

std::string CheckpointStore::step_name(int64_t step) { return fmt::format("step-{:07d}", step); }

std::optional<fs::path> CheckpointStore::latest() const {
  if (!fs::exists(root_)) return std::nullopt;
  const fs::path pointer = root_ / "latest";
  if (fs::exists(pointer)) {
    const std::string name(trim(read_file(pointer)));
    if (fs::is_directory(root_ / name)) return root_ / name;
    log::warn("{} names '{}', which does not exist; using the newest complete checkpoint", pointer.string(), name);
  }
  // A crash between publishing a directory and updating `latest` leaves a newer complete
  // directory than the pointer says; directories are complete by construction.
  std::optional<std::pair<int64_t, fs::path>> best;
  for (const auto& e : fs::directory_iterator(root_)) {
    if (!e.is_directory()) continue;
    if (auto s = parse_step_dir(e.path().filename().string()); s && (!best || *s > best->first)) best = {*s, e.path()};
  }
  if (best) return best->second;
  return std::nullopt;
}

fs::path CheckpointStore::save(int64_t step, Communicator& comm, const std::function<void(const fs::path&)>& write_files) {
  const fs::path final_dir = root_ / step_name(step);
  const fs::path partial = root_ / (step_name(step) + ".partial");
  if (comm.is_root()) {
    make_directories(root_);
    std::error_code ec;
    fs::remove_all(partial, ec);
    if (fs::exists(final_dir)) fs::remove_all(final_dir, ec);  // re-saving a step after resume
    make_directories(partial);
  }
  comm.barrier();
  write_files(partial);
  comm.barrier();
  if (comm.is_root()) {
    maybe_inject_fault("kill_mid_checkpoint", step, comm.rank());
    fsync_directory(partial);
    fs::rename(partial, final_dir);
    fsync_directory(root_);
    write_file_atomic(root_ / "latest", step_name(step) + "\n");
    prune();
  }
  comm.barrier();
  return final_dir;
}

void CheckpointStore::prune() const {
  std::vector<std::pair<int64_t, fs::path>> complete;
  for (const auto& e : fs::directory_iterator(root_)) {
    if (!e.is_directory()) continue;
    const std::string name = e.path().filename().string();
    if (name.size() > 8 && name.substr(name.size() - 8) == ".partial") {
      std::error_code ec;
      fs::remove_all(e.path(), ec);  // left by a crashed save
      continue;
    }
    if (auto s = parse_step_dir(name)) complete.emplace_back(*s, e.path());
  }
  if (keep_last_ <= 0 || static_cast<int>(complete.size()) <= keep_last_) return;
  std::sort(complete.begin(), complete.end());
  for (size_t i = 0; i + static_cast<size_t>(keep_last_) < complete.size(); ++i) {
    std::error_code ec;
    fs::remove_all(complete[i].second, ec);
    if (ec) log::warn("could not remove old checkpoint {}: {}", complete[i].second.string(), ec.message());
  }
}

}  // namespace dsmath
