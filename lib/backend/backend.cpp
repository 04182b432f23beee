#include "backend/backend.hpp"

namespace dsmath {

Buffer::~Buffer() {
  if (owner_ != nullptr && data_ != nullptr) owner_->release(data_);
}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    if (owner_ != nullptr && data_ != nullptr) owner_->release(data_);
    owner_ = o.owner_;
    data_ = o.data_;
    bytes_ = o.bytes_;
    o.release_ownership();
  }
  return *this;
}

}  // namespace dsmath
