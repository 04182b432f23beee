#include "dist/communicator.hpp"

#include <algorithm>

namespace dsmath {

std::vector<int64_t> split_ranges(int64_t total, int parts, int64_t alignment) {
  std::vector<int64_t> b(static_cast<size_t>(parts) + 1, 0);
  for (int r = 1; r < parts; ++r) {
    const int64_t ideal = total * r / parts;
    b[static_cast<size_t>(r)] = std::min(total, (ideal + alignment - 1) / alignment * alignment);
  }
  b[static_cast<size_t>(parts)] = total;
  return b;
}

}  // namespace dsmath
