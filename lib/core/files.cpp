#include "core/files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace dsmath {

namespace {
std::string errno_text() { return std::strerror(errno); }

// Unique within the process and across processes: pid + counter.
std::string temp_suffix() {
  static std::atomic<uint64_t> counter{0};
  return fmt::format(".tmp-{}-{}", ::getpid(), counter.fetch_add(1));
}
}  // namespace

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_hint("check the path and its permissions", "cannot open '{}': {}", path.string(), errno_text());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail("error reading '{}'", path.string());
  return std::move(ss).str();
}

void fsync_directory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail("cannot open directory '{}' to sync it: {}", dir.string(), errno_text());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("fsync of directory '{}' failed: {}", dir.string(), errno_text());
}

void make_directories(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail_hint("check permissions and free space", "cannot create directory '{}': {}", dir.string(), ec.message());
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

AtomicFile::AtomicFile(fs::path final_path) : final_path_(std::move(final_path)) {
  temp_path_ = final_path_;
  temp_path_ += temp_suffix();
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0)
    fail_hint("check that the directory exists and is writable", "cannot create '{}': {}", temp_path_.string(),
              errno_text());
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

void AtomicFile::write(const void* data, size_t bytes) {
  DSMATH_CHECK(fd_ >= 0, "write after commit on {}", final_path_.string());
  auto* p = static_cast<const char*>(data);
  while (bytes > 0) {
    ssize_t n = ::write(fd_, p, bytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_hint("check free disk space", "write to '{}' failed after {} bytes: {}", temp_path_.string(), written_,
                errno_text());
    }
    p += n;
    bytes -= static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
}

void AtomicFile::commit() {
  DSMATH_CHECK(fd_ >= 0, "double commit on {}", final_path_.string());
  if (::fsync(fd_) != 0) fail("fsync of '{}' failed: {}", temp_path_.string(), errno_text());
  if (::close(fd_) != 0) {
    fd_ = -1;
    ::unlink(temp_path_.c_str());
    fail("close of '{}' failed: {}", temp_path_.string(), errno_text());
  }
  fd_ = -1;
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    std::string err = errno_text();
    ::unlink(temp_path_.c_str());
    fail("cannot rename '{}' to '{}': {}", temp_path_.string(), final_path_.string(), err);
  }
  fsync_directory(final_path_.parent_path());
}

MappedFile::MappedFile(const fs::path& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_hint("check the path", "cannot open '{}': {}", path.string(), errno_text());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    fail("cannot stat '{}': {}", path.string(), errno_text());
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      fail("cannot map '{}' ({} bytes): {}", path.string(), size_, errno_text());
    }
    data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)), data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

}  // namespace dsmath
