#include "slurm/slurm_states.h"

#include <algorithm>
#include <string_view>

namespace salvo {
namespace {

using Kind = AttemptEnd::Kind;

// What a job state means. kByExit: the trial's own exit decides, unless Slurm stopped
// it with a signal before it reported its objective (checked in ByExit).
enum class Meaning { kWaiting, kRunning, kByExit, kCancelled, kEnd };

struct Row {
  std::string_view state;
  Meaning meaning;
  Kind kind;                // with kEnd
  std::string_view reason;  // with kEnd: what `runs info` shows
};

// Every JobState of Slurm 22.05 (squeue's long names). A state not listed is waited on.
constexpr Row kTable[] = {
    {"PENDING", Meaning::kWaiting, Kind::kExited, ""},
    {"CONFIGURING", Meaning::kWaiting, Kind::kExited, ""},
    {"REQUEUED", Meaning::kWaiting, Kind::kExited, ""},
    {"REQUEUE_FED", Meaning::kWaiting, Kind::kExited, ""},
    {"REQUEUE_HOLD", Meaning::kWaiting, Kind::kExited, ""},
    {"SPECIAL_EXIT", Meaning::kWaiting, Kind::kExited, ""},
    {"RESV_DEL_HOLD", Meaning::kWaiting, Kind::kExited, ""},
    {"SUSPENDED", Meaning::kWaiting, Kind::kExited, ""},
    {"STOPPED", Meaning::kWaiting, Kind::kExited, ""},
    {"RESIZING", Meaning::kRunning, Kind::kExited, ""},
    {"RUNNING", Meaning::kRunning, Kind::kExited, ""},
    {"SIGNALING", Meaning::kRunning, Kind::kExited, ""},
    {"STAGE_OUT", Meaning::kRunning, Kind::kExited, ""},
    {"COMPLETING", Meaning::kRunning, Kind::kExited, ""},
    {"COMPLETED", Meaning::kByExit, Kind::kExited, ""},
    {"FAILED", Meaning::kByExit, Kind::kExited, ""},
    {"CANCELLED", Meaning::kCancelled, Kind::kUserCancelled, "cancelled outside Salvo"},
    {"TIMEOUT", Meaning::kEnd, Kind::kTimeout, "time limit reached"},
    {"DEADLINE", Meaning::kEnd, Kind::kTimeout, "deadline reached"},
    {"NODE_FAIL", Meaning::kEnd, Kind::kLost, "node failure"},
    {"BOOT_FAIL", Meaning::kEnd, Kind::kLost, "node boot failure"},
    {"REVOKED", Meaning::kEnd, Kind::kLost, "revoked by its federation"},
    {"PREEMPTED", Meaning::kEnd, Kind::kPreempted, "preempted"},
    {"OUT_OF_MEMORY", Meaning::kEnd, Kind::kFailed, "out of memory"},
};

const Row* FindRow(const std::string& state) {
  for (const Row& row : kTable) {
    if (row.state == state) return &row;
  }
  return nullptr;
}

AttemptEnd End(Kind kind, std::string reason, int exit_code = 0) {
  AttemptEnd end;
  end.kind = kind;
  end.exit_code = exit_code;
  end.reason = std::move(reason);
  return end;
}

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string JobText(const JobView& view) {
  std::string text = "Slurm job " + view.job_id;
  if (view.job) text += " " + view.job->state;
  if (view.job && !view.job->reason.empty() && view.job->reason != "None")
    text += " (" + view.job->reason + ")";
  return text;
}

// A job that ended by itself (COMPLETED, FAILED, or gone from Slurm after the wrapper
// wrote its end): the trial's exit decides, except that a trial Slurm signalled which
// then ended without its objective was stopped, not finished (public-reports §6 #55).
AttemptEnd ByExit(const JobView& view) {
  if (!view.wrapper) {
    if (view.job && view.job->state == "COMPLETED") return End(Kind::kExited, "", 0);
    int code = view.job ? view.job->exit_code : 0;
    // Slurm could not launch this run (e.g. "Job credential revoked" when a requeued
    // job starts again too soon): the trial never ran, so it gets a new attempt.
    if (!view.wrapper_started)
      return End(Kind::kLost, JobText(view) + " before its script started", code);
    return End(Kind::kFailed, JobText(view) + " before the trial ended", code);
  }
  const WrapperEnd& w = *view.wrapper;
  if (!view.objective_reported) {
    if (Has(w.signals, "TERM") || Has(w.signals, "INT")) {
      return End(Kind::kPreempted,
                 "stopped by Slurm (SIG" +
                     (Has(w.signals, "TERM") ? std::string("TERM") : std::string("INT")) +
                     ") before reporting its objective",
                 w.exit_code);
    }
    if (Has(w.signals, "USR1")) {
      return End(Kind::kTimeout,
                 "stopped at Slurm's time-limit warning (SIGUSR1) before reporting its "
                 "objective",
                 w.exit_code);
    }
  }
  return End(Kind::kExited, "", w.exit_code);
}

}  // namespace

bool IsHoldReason(const std::string& state, const std::string& reason) {
  if (state == "REQUEUE_HOLD" || state == "SPECIAL_EXIT" || state == "RESV_DEL_HOLD")
    return true;
  if (state != "PENDING") return false;
  return reason.rfind("JobHeld", 0) == 0 ||
         reason.find("requeued held") != std::string::npos;
}

JobVerdict JudgeJob(const JobView& view, const JobRules& rules) {
  JobVerdict v;

  // Gone from Slurm (past MinJobAge, or purged): its wrapper's record is all there is.
  if (!view.job) {
    if (view.cancel_requested)
      v.end = End(Kind::kCancelled, "");
    else if (view.wrapper)
      v.end = ByExit(view);
    else
      v.end = End(Kind::kLost, "Slurm no longer lists job " + view.job_id);
    return v;
  }
  const SlurmJob& job = *view.job;

  // Requeued since this attempt began (scontrol requeue, a REQUEUE preemption, a node
  // failure with --requeue): this attempt is over; the same job's next run is the next.
  if (job.restart_count > view.attempt_restart) {
    v.end = End(Kind::kPreempted, "requeued by Slurm (job " + view.job_id + ", restart " +
                                      std::to_string(job.restart_count) + ")");
    v.requeued = true;
    return v;
  }

  const Row* row = FindRow(job.state);
  Meaning meaning = row ? row->meaning : Meaning::kWaiting;
  switch (meaning) {
    case Meaning::kWaiting:
      if (IsHoldReason(job.state, job.reason)) {
        v.note = "held by Slurm: " + (job.reason.empty() ? job.state : job.reason);
        if (view.held_for_s >= rules.hold_wait_s) {
          v.end =
              End(Kind::kLost, JobText(view) + " for " + std::to_string(view.held_for_s) +
                                   " s; cancelled, to be resubmitted");
          v.cancel_job = true;
        }
      }
      return v;
    case Meaning::kRunning:
      v.running = true;
      return v;
    case Meaning::kByExit:
      v.end = ByExit(view);
      return v;
    case Meaning::kCancelled:
      v.end = view.cancel_requested
                  ? End(Kind::kCancelled, "")
                  : End(row->kind, std::string(row->reason) + " (" + JobText(view) + ")");
      return v;
    case Meaning::kEnd:
      v.end = End(row->kind, std::string(row->reason) + " (" + JobText(view) + ")",
                  view.wrapper ? view.wrapper->exit_code : job.exit_code);
      return v;
  }
  return v;
}

}  // namespace salvo
