#include "common/core/run_status.h"

#include <array>
#include <utility>

namespace salvo {
namespace {

constexpr std::array<std::pair<RunStatus, std::string_view>, 9> kNames = {{
    {RunStatus::kPending, "pending"},
    {RunStatus::kStaged, "staged"},
    {RunStatus::kRunning, "running"},
    {RunStatus::kCompleted, "completed"},
    {RunStatus::kError, "error"},
    {RunStatus::kTerminated, "terminated"},
    {RunStatus::kLost, "lost"},
    {RunStatus::kPreempted, "preempted"},
    {RunStatus::kTimeout, "timeout"},
}};

}  // namespace

std::string_view RunStatusName(RunStatus s) {
  for (const auto& [status, name] : kNames)
    if (status == s) return name;
  return "unknown";
}

std::optional<RunStatus> ParseRunStatus(std::string_view name) {
  for (const auto& [status, n] : kNames)
    if (n == name) return status;
  return std::nullopt;
}

bool IsFinal(RunStatus s) {
  return s == RunStatus::kCompleted || s == RunStatus::kError ||
         s == RunStatus::kTerminated || s == RunStatus::kTimeout;
}

}  // namespace salvo
