#pragma once
// Helpers shared by the fuzz targets: the input as text or lines, and a check that stops
// the process (a libFuzzer crash) with a message when an invariant does not hold.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace salvo::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The lines of `text`, without their '\n'.
inline std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Aborts with `what` and the two texts that should have been equal.
[[noreturn]] inline void Fail(const char* what, std::string_view a, std::string_view b) {
  std::fprintf(stderr, "fuzz check failed: %s\n  first:  '%.*s'\n  second: '%.*s'\n",
               what, static_cast<int>(a.size()), a.data(), static_cast<int>(b.size()),
               b.data());
  std::abort();
}

inline void Check(bool ok, const char* what, std::string_view a = "",
                  std::string_view b = "") {
  if (!ok) Fail(what, a, b);
}

}  // namespace salvo::fuzz
