#include "backend/backend.hpp"

#include <cstdlib>
#include <new>

namespace dsmath {

void Buffer::free_memory() {
  if (owner_ == nullptr || data_ == nullptr) return;
  if (pinned_host_) owner_->release_pinned(data_);
  else owner_->release(data_);
}

Buffer::~Buffer() { free_memory(); }

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    free_memory();
    owner_ = o.owner_;
    data_ = o.data_;
    bytes_ = o.bytes_;
    pinned_host_ = o.pinned_host_;
    o.release_ownership();
  }
  return *this;
}

Buffer Backend::allocate_pinned(size_t bytes) {
  void* p = std::malloc(bytes == 0 ? 1 : bytes);
  if (p == nullptr) throw std::bad_alloc();
  return Buffer(this, p, bytes, true);
}

void Backend::release_pinned(void* data) { std::free(data); }

std::unique_ptr<CapturedWork> Backend::capture(const std::function<void()>&) { return nullptr; }

}  // namespace dsmath
