#pragma once
// fp32 host values <-> a device tensor of any floating dtype. Lower-precision tensors convert
// through a bounded staging buffer (16M elements), so moving a 7B model's weights never needs
// a second full-size copy on the device.
#include <span>

#include "backend/backend.hpp"

namespace dsmath {

void upload_f32(Backend& backend, Tensor dst, std::span<const float> host);
void download_f32(Backend& backend, Tensor src, std::span<float> host);

}  // namespace dsmath
