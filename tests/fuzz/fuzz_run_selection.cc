// Fuzzes RUN arguments (`salvo runs rm 2:4 a1b`) and operation filters (`-Fo gp`): each
// line of the input is one argument, resolved against five runs. Whatever is picked is
// a subset of the runs in list order without repeats.
//
// Filters that are regular expressions (with `^` or `$`) are left out: std::regex
// backtracks exponentially on patterns such as `.+++++++++++++py$` and overflows a long
// on a 19-digit repeat count, and such a filter is the user's own pattern, not input
// Salvo reads.

#include "coordinator/run_selection.h"
#include "tests/fuzz/fuzz_util.h"

namespace salvo {
namespace {

// Five runs, newest first; two share the id prefix "ab".
const std::vector<RunView>& Runs() {
  static const std::vector<RunView> kRuns = [] {
    const char* ids[] = {"ab12", "ab34", "c0ffee", "d00d", "e1"};
    std::vector<RunView> runs;
    for (int i = 0; i < 5; ++i) {
      RunView run;
      run.record.id = std::string(ids[i]) + std::string(28, '0');
      run.record.operation = i % 2 ? "train.py+gp" : "train.py";
      run.index = i + 1;
      runs.push_back(run);
    }
    return runs;
  }();
  return kRuns;
}

bool IsRegexFilter(std::string_view filter) {
  return filter.find_first_of("^$") != std::string_view::npos;
}

}  // namespace
}  // namespace salvo

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salvo;
  std::vector<std::string> args;
  for (std::string_view line : fuzz::Lines(fuzz::AsText(data, size))) {
    args.emplace_back(line);
    if (IsRegexFilter(line)) continue;
    for (const RunView& run : Runs()) (void)OperationMatches(line, run.record.operation);
  }

  Result<std::vector<RunView>> picked = ResolveRunArgs(Runs(), args);
  if (!picked.ok()) return 0;
  size_t next = 0;  // position in Runs() past the last picked run
  for (const RunView& run : *picked) {
    while (next < Runs().size() && Runs()[next].record.id != run.record.id) ++next;
    fuzz::Check(next < Runs().size(), "picked runs are in list order, once each",
                run.record.id);
    ++next;
  }
  return 0;
}
