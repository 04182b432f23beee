#pragma once
// File helpers with the guarantees checkpoints and shards need: whole-file reads with clear
// errors, atomic replacement (temp file, fsync, rename, fsync the directory), and read-only
// memory maps as RAII objects.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace dsmath {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path);
// Writes `bytes` to `path` atomically: readers see the old file or the new one, never a torn one.
void write_file_atomic(const fs::path& path, std::string_view bytes);
// fsync a directory so that a rename inside it survives a crash.
void fsync_directory(const fs::path& dir);
// Creates `dir` (and parents); error names the path on failure.
void make_directories(const fs::path& dir);

// A file being written under a temporary name beside its final path; commit() fsyncs and
// renames it into place. Destroyed without commit(), it removes the temporary file, so a
// failed or interrupted write never leaves a half file under the final name.
class AtomicFile {
 public:
  explicit AtomicFile(fs::path final_path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t bytes);
  void write(std::string_view s) { write(s.data(), s.size()); }
  void commit();
  const fs::path& temp_path() const { return temp_path_; }

 private:
  fs::path final_path_;
  fs::path temp_path_;
  int fd_ = -1;
  uint64_t written_ = 0;
};

// Read-only memory map of a whole file.
class MappedFile {
 public:
  MappedFile() = default;
  explicit MappedFile(const fs::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const fs::path& path() const { return path_; }

 private:
  void release();
  fs::path path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace dsmath
