#include "common/core/run_record.h"

namespace salvo {

std::string_view RunKindName(RunKind k) {
  switch (k) {
    case RunKind::kRun:
      return "run";
    case RunKind::kBatch:
      return "batch";
    case RunKind::kTrial:
      return "trial";
  }
  return "run";
}

}  // namespace salvo
