#pragma once
// How a Slurm job runs its trial: the executor writes the trial's launch (argv, run
// directory, environment, scalar patterns) as a JSON spec in the run directory, and the
// job's wrapper runs `salvo trial-exec --spec FILE`, which runs the trial through
// TrialProcess (so it behaves as a local trial: same output log, same scalars) and
// appends each scalar as a JSON line to the run directory's scalars file, tagged with
// the job and its restart count so every attempt reads back only its own.
//
// Files in the run directory (kept across attempts, appended to):
//   trial.json     the spec
//   output         the trial's merged output (TrialProcess)
//   scalars.jsonl  {"job":"123","restart":0,"tag":"loss","step":0,"value":0.25}
//   job-events.jsonl  the wrapper's start and end lines (slurm_script.h)

#include <cstdint>
#include <string>
#include <vector>

#include "agent/trial_runner.h"
#include "common/core/output_scalars.h"
#include "common/core/status.h"

namespace salvo {

inline constexpr char kTrialSpecFile[] = "trial.json";
inline constexpr char kScalarsFile[] = "scalars.jsonl";

Status WriteTrialSpec(const std::string& path, const TrialLaunch& launch);
Result<TrialLaunch> ReadTrialSpec(const std::string& path);

// One line of the scalars file.
struct JobScalar {
  std::string job;
  int restart = 0;
  ScalarPoint point;
};
std::string FormatScalarLine(const JobScalar& s);
Result<JobScalar> ParseScalarLine(std::string_view line);

// Reads the complete lines of `path` from byte `*offset` on and moves `*offset` past
// them (a line still being written is left for the next call). Lines that do not parse
// are skipped.
std::vector<JobScalar> ReadScalarLines(const std::string& path, int64_t* offset);

// `salvo trial-exec --spec FILE`: runs the trial, forwarding USR1, USR2, TERM, INT and
// HUP to it at once, and returns its exit status (128 + signal when killed). The job id
// and restart count come from SLURM_JOB_ID and SLURM_RESTART_COUNT.
int CmdTrialExec(const std::string& spec_path);

}  // namespace salvo
