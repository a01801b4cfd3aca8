#pragma once
// Executors: where a batch's trials run. The batch engine decides what runs and records
// every state change; an executor only starts attempts, signals them and says how each
// ended. Three implement this interface: local child processes (here), agents over
// ZeroMQ (coordinator/agent_executor.h) and Slurm jobs (slurm/slurm_executor.h).
//
// The engine calls every method from the one thread that runs the batch.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/trial_runner.h"
#include "common/core/output_scalars.h"
#include "common/core/run_record.h"
#include "common/core/status.h"

namespace salvo {

// How an attempt ended, as the executor saw it.
struct AttemptEnd {
  enum class Kind {
    kExited,         // the process ended by itself: exit_code/signal say how
    kCancelled,      // ended by Signal() from the engine (a stop)
    kUserCancelled,  // cancelled outside Salvo (e.g. scancel): terminated, no retry
    kLost,           // its agent or job vanished; the engine makes a new attempt
    kPreempted,      // taken away by the cluster; a new attempt, not counted as an error
    kTimeout,        // hit its time limit
    kFailed,         // failed outside the trial's own code (e.g. out of memory): an error
  };
  Kind kind = Kind::kExited;
  int exit_code = 0;
  int signal = 0;
  std::string reason;  // shown in `runs info`; empty for a plain exit
  // kExited after a preemption warning (an agent's SIGUSR1): unless the trial exited 0
  // with its objective, the attempt counts as preempted.
  bool preempt_warned = false;
};

// One attempt in flight.
class TrialHandle {
 public:
  virtual ~TrialHandle() = default;
  // The end, once the attempt is over and its output and scalars are complete.
  virtual std::optional<AttemptEnd> Poll() = 0;
  // SIGTERM to stop (the engine escalates to SIGKILL after its grace), SIGINT on Ctrl-C.
  virtual void Signal(int sig) = 0;
  // Every scalar point of this attempt so far.
  virtual std::vector<ScalarPoint> Scalars() const = 0;
  // Where it runs, for the trial record: the host, and the executor's own id for it
  // (a pid, an agent name, a Slurm job id). May change after Poll() (e.g. a job id
  // known once submitted).
  virtual std::string host() const = 0;
  virtual std::string external_id() const = 0;
  // Why a started attempt is not running yet, when that needs a person's attention
  // (e.g. "held by Slurm: JobHeldUser"); empty otherwise. Shown as the trial's reason.
  virtual std::string note() const { return ""; }
  // The attempt's run folder on the machine that runs it, when that is not this one.
  virtual std::string remote_dir() const { return ""; }
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::string name() const = 0;  // "local", "agents", "slurm"

  // How many more attempts may start now, given `running` of this batch's in flight
  // and the batch's own limit `parallel` (-j).
  virtual int FreeSlots(int running, int parallel) = 0;

  // Starts one attempt of `trial` (its attempt number already incremented). Scalars go to
  // `sink` as they arrive (from any thread), and also come back from Scalars().
  virtual Result<std::unique_ptr<TrialHandle>> Start(const TrialLaunch& launch,
                                                     const RunRecord& trial,
                                                     TrialProcess::ScalarSink sink) = 0;

  // After a restart of the process that runs the batch: re-attaches to an attempt that
  // the store shows running (an agent still running it, a Slurm job still queued or
  // running). nullptr when it cannot be adopted; the engine then makes a new attempt.
  virtual std::unique_ptr<TrialHandle> Adopt(const RunRecord& trial,
                                             TrialProcess::ScalarSink sink) {
    return nullptr;
  }

  // True when FreeSlots() may be 0 for a while (no agent connected yet): the batch then
  // waits for capacity instead of ending.
  virtual bool WaitsForCapacity() const { return false; }

  // Blocks until something may have changed (an attempt ended, capacity freed) or
  // `timeout` passes.
  virtual void Wait(std::chrono::milliseconds timeout) = 0;
};

// Runs trials as child processes of this process (TrialProcess).
std::unique_ptr<Executor> MakeLocalExecutor();

// Executors by name, so the binary can add the Slurm one without the coordinator
// library depending on it. Options are the backend's settings (e.g. sbatch arguments).
using ExecutorFactory = std::function<Result<std::unique_ptr<Executor>>(
    const std::map<std::string, std::vector<std::string>>& options)>;
void RegisterExecutor(const std::string& name, ExecutorFactory factory);
Result<std::unique_ptr<Executor>> MakeExecutor(
    const std::string& name,
    const std::map<std::string, std::vector<std::string>>& options);

}  // namespace salvo
