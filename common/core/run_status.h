#pragma once
// The status of a run (a batch or a trial) and which statuses are final.

#include <optional>
#include <string_view>

namespace salvo {

enum class RunStatus {
  kPending,     // created, waiting to be started (kept across restarts)
  kStaged,      // prepared for a later start
  kRunning,
  kCompleted,   // exited 0 (a trial), or generated all its trials (a batch)
  kError,       // exited non-zero, or failed to start
  kTerminated,  // stopped by a user, or its runner died
  kLost,        // its agent vanished; a new attempt may follow
  kPreempted,   // taken away by the cluster; a new attempt follows
  kTimeout,     // hit its time limit
};

std::string_view RunStatusName(RunStatus s);
std::optional<RunStatus> ParseRunStatus(std::string_view name);
// Completed, error, terminated and timeout: nothing more will happen to the run.
bool IsFinal(RunStatus s);

}  // namespace salvo
