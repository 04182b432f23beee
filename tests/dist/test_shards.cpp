// ZeRO-1's equal shards: hand-worked partitions.
#include <catch2/catch.hpp>

#include "dist/communicator.hpp"

using namespace dsmath;

TEST_CASE("equal shards are aligned, cover the buffer once and pad only the tail", "[dist]") {
  // 1000 slots over 3 ranks: ceil(1000 / 3) = 334 -> 384 (3 x 128); the last shard is short
  const EqualShards s = equal_shards(1000, 3);
  CHECK(s.size == 384);
  CHECK(s.bounds() == std::vector<int64_t>{0, 384, 768, 1000});
  CHECK(s.padded_total() == 1152);
  // one rank owns everything; an exact multiple needs no padding
  CHECK(equal_shards(1000, 1).bounds() == std::vector<int64_t>{0, 1000});
  const EqualShards exact = equal_shards(1024, 4);
  CHECK(exact.size == 256);
  CHECK(exact.padded_total() == 1024);
  // the DeepSeekMath 7B layout (6,910,365,696 slots, already 128-aligned) over 512 ranks
  const EqualShards big = equal_shards(6910365696LL, 512);
  CHECK(big.size == 13496832);  // ceil(6910365696 / 512) = 13496808 -> next multiple of 128
  CHECK(big.end(511) == 6910365696LL);
  CHECK(big.end(511) - big.begin(511) == 6910365696LL - 511 * 13496832LL);
  // so small a buffer over so many ranks leaves the last ranks without a shard
  const EqualShards tiny = equal_shards(300, 4);
  CHECK(tiny.bounds() == std::vector<int64_t>{0, 128, 256, 300, 300});
}
