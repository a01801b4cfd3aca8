// Fuzzes the reading of a trial's output: every line of the input goes through a parser
// with the default patterns and through one with user patterns (fixed ones: user
// patterns are regular expressions the user wrote, not outside input).

#include <cmath>

#include "common/core/output_scalars.h"
#include "tests/fuzz/fuzz_util.h"

namespace salvo {
namespace {

const std::vector<ScalarPattern>& UserPatterns() {
  static const std::vector<ScalarPattern> kPatterns = {
      {"loss", R"(loss=(\value))"},
      {"", R"((\key)\s*=\s*(\value))"},
      {"", R"((step)\s+(\step))"},
  };
  return kPatterns;
}

void CheckPoints(const std::vector<ScalarPoint>& points, std::string_view line) {
  for (const ScalarPoint& p : points) {
    fuzz::Check(!p.tag.empty(), "a point has a tag", line);
    fuzz::Check(p.step >= 0, "a point's step is not negative", line, p.tag);
  }
}

}  // namespace
}  // namespace salvo

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salvo;
  std::string_view text = fuzz::AsText(data, size);

  // Compiling the patterns is slow; a copy of a fresh parser starts at step 0 as well.
  static const OutputScalarParser kFreshByPattern = [] {
    Result<OutputScalarParser> made = OutputScalarParser::Make({"lr"}, UserPatterns());
    fuzz::Check(made.ok(), "the fixed user patterns compile", made.status().message());
    return std::move(made).value();
  }();
  OutputScalarParser by_default({"lr", "x"});
  OutputScalarParser by_pattern = kFreshByPattern;

  for (std::string_view line : fuzz::Lines(text)) {
    CheckPoints(by_default.Feed(line), line);
    CheckPoints(by_pattern.Feed(line), line);
    (void)ParseScalarNumber(line);
  }
  return 0;
}
