#pragma once
// RunContext: what `salvo run` (CmdRun) does differently when a coordinator runs it for
// a client instead of a user's shell running it here. Set for the calling thread with
// ScopedRunContext; without one, CmdRun prints to the terminal, opens the store itself,
// installs signal handlers and runs the batch to its end.

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "common/core/run_record.h"
#include "common/store/run_store.h"
#include "coordinator/batch_engine.h"
#include "coordinator/executor.h"

namespace salvo {

struct BatchPlan;

struct RunContext {
  std::ostream* out = nullptr;  // what CmdRun prints (stdout)
  std::ostream* err = nullptr;  // its errors and warnings (stderr)
  RunStore* store = nullptr;    // the store to use instead of opening $SALVO_HOME's
  std::string cwd;              // the client's working directory
  std::string python;           // the client's SALVO_PYTHON, if set
  bool prompt_only = false;     // print the prompt (or the trials) and stop there
  std::shared_ptr<Executor> executor;
  // Takes over a stored batch instead of CmdRun running it: the coordinator's batch
  // thread. Returns CmdRun's exit status.
  std::function<int(const BatchPlan& plan, RunRecord& batch, int64_t target_total,
                    int parallel)>
      launch;
};

// The calling thread's context, or nullptr.
RunContext* CurrentRunContext();

class ScopedRunContext {
 public:
  explicit ScopedRunContext(RunContext* ctx);
  ~ScopedRunContext();
  ScopedRunContext(const ScopedRunContext&) = delete;
  ScopedRunContext& operator=(const ScopedRunContext&) = delete;

 private:
  RunContext* previous_;
};

// Where CmdRun's output and errors go: the context's streams, else stdout and stderr.
std::ostream& RunOut();
std::ostream& RunErr();

// Rebuilds the plan of a stored batch (as --restart does, with no overrides), for a
// coordinator resuming the batches it was running when it stopped. Error when the
// batch cannot be planned again (e.g. an unknown optimizer).
Result<BatchPlan> PlanFromBatch(const RunRecord& batch);

// The summary `salvo run` prints when a batch ends, and the exit status it ends with.
std::string BatchSummaryText(RunStore& store, const RunRecord& batch, const BatchPlan& plan);
int ExitForBatchEnd(BatchEnd end);

}  // namespace salvo
