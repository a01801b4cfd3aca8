#pragma once
// Run ids: 32 lowercase hex digits from a random 128-bit value; the first 8 are the
// short id shown in listings.

#include <cstdint>
#include <string>
#include <string_view>

namespace salvo {

std::string NewRunId();
inline std::string ShortId(std::string_view id) { return std::string(id.substr(0, 8)); }
bool IsHex(std::string_view s);

// SplitMix64 step: the project's one way of deriving a seed from a seed and an index,
// so that every random stream is reproducible from the batch seed.
uint64_t MixSeed(uint64_t seed, uint64_t index);

}  // namespace salvo
