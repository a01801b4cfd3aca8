#pragma once
// The Slurm executor: each trial attempt is a Slurm job (`salvo run --backend slurm`).
//
// Start() writes the trial's launch spec and job script (slurm_script.h) into its run
// directory and submits it with `sbatch --parsable`. Poll() asks squeue about all of
// the executor's jobs at once, at most once per poll interval, and reads the run
// directory for the attempt's scalars and for the wrapper's end record; JudgeJob
// (slurm_states.h) turns that into the attempt's end. A job Slurm requeues (scontrol
// requeue, a REQUEUE preemption) ends the attempt as preempted; the engine's next
// Start() of that trial continues with the same job, which reruns with the same argv,
// flags and run directory. Signal(SIGTERM) cancels the job. Adopt() re-attaches to the
// job id in a trial's record after a restart of the process running the batch.
//
// Like every executor, it is used from the engine's one thread.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/core/clock.h"
#include "coordinator/executor.h"
#include "slurm/slurm_cli.h"

namespace salvo {

struct SlurmOptions {
  SlurmCommands commands;
  // Runs the Slurm commands; default SystemCommandRunner(command_timeout).
  CommandRunner runner;
  std::chrono::milliseconds command_timeout{30000};
  SubmitRetry submit_retry;
  std::string salvo_path;  // the binary jobs run; default: this process's executable
  std::vector<std::string> sbatch_args;           // the configuration's, then the user's
  std::string signal = "B:USR1@60";               // --signal; empty: none
  std::chrono::milliseconds poll_interval{2000};  // between squeue calls
  int64_t hold_wait_s = 600;       // a held job is cancelled and resubmitted after this
  std::string objective = "loss";  // the batch's objective scalar
  int max_jobs = 0;  // jobs in Slurm at once; 0: only the batch's -j limits them
  const Clock* clock = nullptr;  // default SystemClock()
};

// configs/slurm.yaml: every key is optional.
//   partition, account, time (--time), gpus-per-trial (--gpus), extra-args (a list),
//   signal (default B:USR1@60), poll-interval (seconds, default 2),
//   hold-wait (seconds, default 600), max-jobs (default 0: no limit)
Status ApplySlurmConfigFile(const std::string& path, SlurmOptions* options);

// Options from the engine's map: "config" (a slurm.yaml; default $SALVO_SLURM_CONFIG,
// else ./slurm.yaml, else $SALVO_HOME/slurm.yaml when present), "sbatch-arg" (each
// one an sbatch option, after the configuration's), "objective", "salvo" (the binary).
Result<SlurmOptions> SlurmOptionsFromMap(
    const std::map<std::string, std::vector<std::string>>& options);

std::unique_ptr<Executor> MakeSlurmExecutor(SlurmOptions options);

// Registers MakeSlurmExecutor as the "slurm" executor (coordinator/executor.h); the
// binary calls this once at start-up.
void RegisterSlurmExecutor();

// `salvo slurm agents N`: submits an array of N jobs each running `salvo agent
// --connect URL`, its script under $SALVO_HOME/slurm/; prints the array's job id.
struct SlurmAgentsOptions {
  int count = 1;
  std::string connect;
  std::vector<std::string> sbatch_args;
  std::string signal = "B:USR1@60";
  std::string key;  // the agents' key pair (--key, else $SALVO_KEY)
  std::string
      server_key;  // the coordinator's public key (--server-key, $SALVO_SERVER_KEY)
  int slots = 0;
  int gpus_per_trial = 0;
};
int CmdSlurmAgents(const SlurmAgentsOptions& options);

}  // namespace salvo
