#pragma once
// What a Slurm job's state means for the trial attempt it runs: one function over one
// table (decisions.md §13). The Slurm executor calls it at every poll with what squeue
// says about the attempt's job and what the job's wrapper script wrote when the trial
// ended; it is a pure function, so each row is unit tested.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/executor.h"
#include "slurm/slurm_cli.h"

namespace salvo {

// What the job's wrapper (job.sh) wrote when one run of the job ended.
struct WrapperEnd {
  int exit_code = 0;                 // the trial's exit status (128 + signal if killed)
  std::vector<std::string> signals;  // signals the batch shell got, in order: "USR1", ...
};

// Everything known about an attempt's job at one poll.
struct JobView {
  std::string job_id;                 // for messages
  std::optional<SlurmJob> job;        // nullopt: Slurm no longer lists the job
  int attempt_restart = 0;            // the job's RestartCnt when this attempt began
  bool cancel_requested = false;      // Salvo cancelled it (Signal from the engine)
  bool wrapper_started = false;       // the wrapper recorded this run's start
  std::optional<WrapperEnd> wrapper;  // this run's end, once the wrapper wrote it
  bool objective_reported = false;    // the attempt printed the batch's objective
  int64_t held_for_s = 0;             // how long it has been pending with a hold reason
};

struct JobRules {
  int64_t hold_wait_s = 600;  // a held job is cancelled and resubmitted after this
};

struct JobVerdict {
  bool running = false;           // the job's script is running now
  std::optional<AttemptEnd> end;  // the attempt is over
  bool requeued = false;          // with end: the same job runs again as the next attempt
  bool cancel_job = false;        // with end: the executor must scancel the job
  std::string note;               // while waiting: what to show (a hold and its reason)
};

JobVerdict JudgeJob(const JobView& view, const JobRules& rules = {});

// Pending reasons that will not clear by themselves: user and admin holds, a launch
// failure Slurm requeued held.
bool IsHoldReason(const std::string& state, const std::string& reason);

}  // namespace salvo
