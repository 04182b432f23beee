#include "core/hash.hpp"

#include <xxhash.h>

#include <fmt/format.h>

#include "core/error.hpp"

namespace dsmath {

uint64_t hash64(const void* data, size_t bytes, uint64_t seed) { return XXH3_64bits_withSeed(data, bytes, seed); }

std::string hex64(uint64_t value) { return fmt::format("{:016x}", value); }

Hasher64::Hasher64(uint64_t seed) : state_(XXH3_createState()) {
  if (state_ == nullptr) throw Error("out of memory creating a hash state");
  XXH3_64bits_reset_withSeed(static_cast<XXH3_state_t*>(state_), seed);
}
Hasher64::~Hasher64() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }
void Hasher64::update(const void* data, size_t bytes) {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), data, bytes);
}
uint64_t Hasher64::digest() const { return XXH3_64bits_digest(static_cast<XXH3_state_t*>(state_)); }

}  // namespace dsmath
