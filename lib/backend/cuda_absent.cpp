// Linked when dsmath is built without CUDA (see backend/cuda_bridge.hpp).
#include "backend/cuda_bridge.hpp"
#include "core/error.hpp"

namespace dsmath::cuda_bridge {

bool available_in_build() { return false; }
bool emulated() { return false; }
int device_count() { return 0; }
std::string no_device_reason() { return "built without CUDA"; }
std::unique_ptr<Backend> create(int) { fail("this dsmath was built without CUDA"); }

}  // namespace dsmath::cuda_bridge
