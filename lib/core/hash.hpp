#pragma once
// Content hashes (xxHash XXH3-64): shard checksums, config fingerprints, dedup keys.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dsmath {

uint64_t hash64(const void* data, size_t bytes, uint64_t seed = 0);
inline uint64_t hash64(std::string_view s, uint64_t seed = 0) { return hash64(s.data(), s.size(), seed); }
std::string hex64(uint64_t value);

// Streaming XXH3-64 over pieces (the same value as hash64 over their concatenation).
class Hasher64 {
 public:
  explicit Hasher64(uint64_t seed = 0);
  ~Hasher64();
  Hasher64(const Hasher64&) = delete;
  Hasher64& operator=(const Hasher64&) = delete;
  void update(const void* data, size_t bytes);
  uint64_t digest() const;

 private:
  void* state_;
};

}  // namespace dsmath
