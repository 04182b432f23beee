#include "dist/communicator.hpp"

namespace dsmath {

EqualShards equal_shards(int64_t total, int parts, int64_t alignment) {
  const int64_t per_part = (total + parts - 1) / parts;
  return EqualShards{total, parts, std::max<int64_t>(alignment, (per_part + alignment - 1) / alignment * alignment)};
}

std::vector<int64_t> EqualShards::bounds() const {
  std::vector<int64_t> b(static_cast<size_t>(parts) + 1);
  for (int r = 0; r < parts; ++r) b[static_cast<size_t>(r)] = begin(r);
  b[static_cast<size_t>(parts)] = end(parts - 1);
  return b;
}

}  // namespace dsmath
