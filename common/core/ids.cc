#include "common/core/ids.h"

#include <random>

namespace salvo {

std::string NewRunId() {
  static thread_local std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int word = 0; word < 4; ++word) {
    uint32_t r = rd();
    for (int i = 0; i < 8; ++i) id[word * 8 + i] = kHex[(r >> (i * 4)) & 0xF];
  }
  return id;
}

bool IsHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return !s.empty();
}

uint64_t MixSeed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace salvo
