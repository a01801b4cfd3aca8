#pragma once
// The batch scripts Salvo submits, and the record the trial wrapper leaves behind.
//
// A trial's job script (job.sh in its run directory) carries its sbatch options as
// #SBATCH lines: a name readable in squeue, output appended to the run directory (a
// requeue would truncate it otherwise), requeueable, the early-warning signal, then the
// configuration's options and the user's, later ones winning. Its body runs
// `salvo trial-exec` in the background and waits, so Slurm's signals reach the batch
// shell's traps at once and are forwarded to the trial (a checkpoint chance). It appends
// one JSON line to job-events.jsonl when it starts and one when the trial ended:
//   {"event":"start","job":"123","restart":0,"time":1733300000.25,"host":"node1"}
//   {"event":"end","job":"123","restart":0,"time":...,"exit_code":0,"signals":"USR1"}
// where restart is SLURM_RESTART_COUNT (0 on the first run) and signals those the batch
// shell received, comma separated.

#include <string>
#include <string_view>
#include <vector>

#include "common/core/status.h"

namespace salvo {

inline constexpr char kJobScriptFile[] = "job.sh";
inline constexpr char kJobEventsFile[] = "job-events.jsonl";

struct TrialScriptSpec {
  std::string job_name;
  std::string run_dir;
  std::string salvo_path;                // the binary that runs `trial-exec`
  std::string spec_path;                 // the trial's launch spec (trial_exec.h)
  std::string signal;                    // --signal value, e.g. "B:USR1@60"; empty: none
  std::vector<std::string> sbatch_args;  // configuration's, then the user's
};
std::string TrialJobScript(const TrialScriptSpec& spec);

struct AgentArraySpec {
  int count = 1;
  std::string connect;  // the coordinator's address for `salvo agent --connect`
  std::string salvo_path;
  // Where agent-<array>_<task>.out go, and each task's own agent home
  // (agent-<array>_<task>/: agents on one node must not share a snapshot folder).
  std::string output_dir;
  std::string signal;  // --signal value; empty: none
  std::vector<std::string> sbatch_args;
  std::string job_name = "salvo-agents";
  std::string key;         // the agents' Curve key pair file; empty: no Curve
  std::string server_key;  // the coordinator's public key file, with key
  int slots = 0;           // trials per agent; 0: the agent's default
  int gpus_per_trial = 0;  // 0: the agent's default
};
std::string AgentArrayScript(const AgentArraySpec& spec);

// sbatch options as #SBATCH lines take: each option with its value ("--time=5", or
// "-p" followed by "gpu", joined as "-p gpu"). Error for a line break, or a value
// before any option.
Result<std::vector<std::string>> SbatchOptionLines(const std::vector<std::string>& args);

// The job name of a trial: "salvo-<batch short id>-<trial index>", or "salvo-<short id>"
// for a run outside a batch.
std::string TrialJobName(const std::string& batch_id, const std::string& run_id,
                         int64_t trial_index);

struct JobEvent {
  std::string event;  // "start" or "end"
  std::string job;
  int restart = 0;
  double time = 0;                   // seconds since the epoch
  std::string host;                  // start
  int exit_code = 0;                 // end
  std::vector<std::string> signals;  // end
};
// The lines of job-events.jsonl that parse; others are skipped.
std::vector<JobEvent> ParseJobEvents(std::string_view text);

std::string ShellQuote(std::string_view s);

}  // namespace salvo
