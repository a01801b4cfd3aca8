// Fuzzes compare's column specs (`-c 'max loss step as best, =lr'`). A spec that parses
// names something, has a heading, and gives a cell for a scalar summary.

#include "coordinator/table.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salvo;
  std::string_view text = fuzz::AsText(data, size);
  Result<std::vector<ColumnSpec>> specs = ParseColumnSpecs(text);
  if (!specs.ok()) return 0;

  std::map<std::string, ScalarSummary> summaries =
      SummarizeScalars({{"loss", 0, 0.5}, {"loss", 1, 0.25}, {"acc", 1, 0.9}});
  std::vector<std::string> tags = {"loss", "acc", "lr"};
  for (const ColumnSpec& spec : *specs) {
    fuzz::Check(!spec.name.empty(), "a spec names something", text);
    fuzz::Check(!spec.heading.empty(), "a spec has a heading", text);
    (void)FormatCell(ScalarCell(spec, summaries["loss"]));
    (void)ClosestName(spec.name, tags);
    (void)NaturalLess(spec.name, spec.heading);
  }
  return 0;
}
