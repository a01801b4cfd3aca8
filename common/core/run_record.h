#pragma once
// RunRecord: everything Salvo keeps about one run, a batch or a trial. The store holds
// one record per run; each change of status rewrites the record in one synced write.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/run_status.h"

namespace salvo {

enum class RunKind { kRun, kBatch, kTrial };  // kRun: a single, non-batch run

struct RunRecord {
  std::string id;  // 32 hex digits
  RunKind kind = RunKind::kRun;
  std::string batch_id;   // a trial's batch; empty otherwise
  std::string operation;  // "train.py"; a batch: "train.py+gp", "train.py+"
  std::string op_name;    // the operation without the optimizer suffix: "train.py"
  FlagMap flags;          // a trial's values; a batch's user flags (lists, functions)
  std::string label;
  RunStatus status = RunStatus::kPending;
  std::string reason;  // why it ended as it did, e.g. "exit status 1", "objective is nan"

  int64_t created_us = 0, started_us = 0, stopped_us = 0;
  std::optional<int> exit_code;
  int attempt = 0;        // a trial's current attempt, from 1
  int64_t trial_index = -1;  // a trial's position in its batch, from 0
  int runner_pid = 0;     // the salvo process running it (to detect a dead runner)
  std::string host;
  std::string run_dir;    // where the trial ran (its working directory)
  std::string executor;     // what ran it: "local", "agents", "slurm"
  std::string external_id;  // the executor's id for the attempt: agent name, Slurm job id
  std::string remote_dir;   // the run folder on the agent that ran it (empty: run_dir)
  int lost_attempts = 0;    // attempts lost to a vanished agent or job, or timed out
  int preemptions = 0;      // attempts preempted (never counted against the retry limit)
  std::string backend;      // a batch's executor, kept for --restart and the coordinator

  // Batch fields.
  std::string optimizer;  // canonical optimizer name: "+", "random", "gp", ...
  FlagMap optimizer_flags;
  std::string objective = "loss";
  bool maximize = false;
  int64_t max_trials = 0;  // 0: no limit (a whole grid)
  uint64_t seed = 0;
  int64_t trials_created = 0;
  int64_t random_trials = 0, guided_trials = 0, duplicates_replaced = 0;
  int parallel = 1;
  bool fail_on_trial_error = false;
  std::string source_dir;  // the batch's source snapshot
  std::string script;      // the script or module, relative to source_dir
  std::vector<std::string> command;  // exec command template (operation file `exec`)
  std::string python;      // interpreter chosen for the batch
  std::string op_file;     // the operation file it came from, if any
  std::string first_error;  // the first failed trial's reason (batches)
  std::vector<std::string> notes;  // warnings worth keeping (shown by runs info)
};

std::string_view RunKindName(RunKind k);

}  // namespace salvo
