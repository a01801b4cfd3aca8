#pragma once
// The Slurm command-line tools as Salvo uses them: sbatch, squeue, scontrol and scancel,
// and pure parsers of what they print. Nothing here keeps state about jobs; the Slurm
// executor (slurm_executor.h) does. `sacct` is never used: most small clusters have no
// accounting database, and squeue and `scontrol show job` say all Salvo needs for as
// long as Slurm keeps a finished job (MinJobAge).
//
// Commands run through a CommandRunner, so tests can give fake outputs; the real one
// runs the program with Boost.Process and a timeout. A SlurmCli may be used from one
// thread at a time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/status.h"

namespace salvo {

// ---------------------------------------------------------------------------------------
// Running commands

struct CommandOutput {
  int exit_code = 0;  // 128 + signal when it was killed
  bool timed_out = false;
  std::string out, err;
};

// Runs argv (argv[0] looked up on PATH) to its end; an error only when it cannot start.
using CommandRunner =
    std::function<Result<CommandOutput>(const std::vector<std::string>& argv)>;

// Runs commands as child processes; one still running after `timeout` is killed and
// reported with timed_out set.
CommandRunner SystemCommandRunner(std::chrono::milliseconds timeout);

// ---------------------------------------------------------------------------------------
// What Slurm says about a job

// One job, or one task of a job array, as squeue or `scontrol show job` describe it.
struct SlurmJob {
  std::string id;            // "123", or "120_4" for a task of array 120
  std::string job_id;        // Slurm's numeric JobId ("124" for 120_4 once it started)
  std::string array_job_id;  // "120"; empty outside arrays
  std::string array_task;    // "4"; empty outside arrays
  std::string state;         // JobState: "RUNNING", "COMPLETED", "PENDING", ...
  std::string reason;        // Reason: "None", "Priority", "JobHeldUser", ...
  int restart_count = 0;     // times the job was requeued
  int exit_code = 0;         // the batch script's exit status
  int exit_signal = 0;       // the signal that ended it, 0 if none
  std::string host;          // BatchHost: where the batch script runs; empty if none
  bool requeue = true;       // scontrol's Requeue=1
};

// squeue's output for Salvo's format (kSqueueFormat, one job per line, no header).
// Pending array tasks shown compressed (`12_[2-9%2]`) are expanded into one job per
// task (kMaxListedJobs in all). Lines without the format's fields are an error naming
// the line.
inline constexpr std::string_view kSqueueFormat =
    "JobArrayID:|,JobID:|,ArrayJobID:|,ArrayTaskID:|,State:|,RestartCnt:|,exit_code:|,"
    "BatchHost:|,Reason:";
Result<std::vector<SlurmJob>> ParseSqueue(std::string_view text);

// One line of `scontrol show job -o`: its KEY=VALUE fields. A value runs up to the
// next " KEY=" (values may hold spaces, e.g. Command=... or Comment=...).
std::map<std::string, std::string> ParseScontrolFields(std::string_view line);

// Every job of `scontrol show job -o` output, one per line (array tasks pending as one
// record are expanded). Lines without JobId and JobState are an error.
Result<std::vector<SlurmJob>> ParseScontrolShowJob(std::string_view text);

// A compact array task list: "2-9%2", "1,3,5-7", "[1,3,5-7]", "0-20:5" (a step), each
// part a number or a range; the `%N` throttle is dropped. At most `limit` tasks.
Result<std::vector<int64_t>> ExpandArrayTasks(std::string_view list,
                                              size_t limit = 100000);

// A squeue/scontrol job id with a compact task list, "12_[2-9%2]", into "12_2", "12_3",
// ...; an id without one ("12", "12_4") as itself.
Result<std::vector<std::string>> ExpandArrayJobId(std::string_view id,
                                                  size_t limit = 100000);

// The most jobs one squeue or scontrol answer may expand to; more is an error.
inline constexpr size_t kMaxListedJobs = 100000;

// Slurm's ExitCode "3:0" (status:signal) and squeue's exit_code (a wait status, 768 for
// exit 3, 9 for SIGKILL).
Result<std::pair<int, int>> ParseExitCode(std::string_view text);
std::pair<int, int> DecodeWaitStatus(int64_t status);

// `sbatch --parsable` prints "ID" or "ID;CLUSTER".
Result<std::string> ParseSbatchJobId(std::string_view out);

// Whether a failed sbatch (its standard error, or a timeout) is worth trying again:
// controller timeouts and busy or unreachable controllers are; a bad option, partition,
// account or limit is not.
bool IsTransientSlurmError(std::string_view err, bool timed_out);

// ---------------------------------------------------------------------------------------
// The commands

// Program names (a path, or a name looked up on PATH), so tests can put shims in place.
struct SlurmCommands {
  std::string sbatch = "sbatch";
  std::string squeue = "squeue";
  std::string scontrol = "scontrol";
  std::string scancel = "scancel";
};

struct SubmitRetry {
  int attempts = 5;                             // sbatch runs at most this many times
  std::chrono::milliseconds first_delay{1000};  // doubled after each transient failure
  std::chrono::milliseconds max_delay{30000};
};

class SlurmCli {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;

  SlurmCli(SlurmCommands commands, CommandRunner runner, SubmitRetry retry = {},
           Sleeper sleep = nullptr);

  // `sbatch --parsable ARGS... SCRIPT`: the job id. Transient failures are retried with
  // backoff; a permanent one (or the last transient one) is kInvalidArgument or
  // kUnavailable carrying sbatch's own message.
  Result<std::string> Submit(const std::string& script,
                             const std::vector<std::string>& args);

  // The jobs among `ids` that Slurm still lists, finished ones included, in one squeue
  // call. Ids Slurm no longer knows are left out (not an error).
  Result<std::vector<SlurmJob>> Queue(const std::vector<std::string>& ids);

  // `scontrol show job -o ID`: NotFound when Slurm no longer knows the job.
  Result<std::vector<SlurmJob>> ShowJob(const std::string& id);

  // `scancel ID`, or with a signal name (`scancel -s USR1 ID`) to signal without
  // cancelling. `batch_only` sends it to the batch shell alone (-b).
  Status Cancel(const std::string& id, const std::string& signal = "",
                bool batch_only = false);

  // `scontrol requeue ID`.
  Status Requeue(const std::string& id);

  const SlurmCommands& commands() const { return commands_; }

 private:
  // Runs argv; an error (with the program's last line of standard error) when it could
  // not run or exited non-zero.
  Result<CommandOutput> Run(const std::vector<std::string>& argv);

  SlurmCommands commands_;
  CommandRunner runner_;
  SubmitRetry retry_;
  Sleeper sleep_;
};

}  // namespace salvo
