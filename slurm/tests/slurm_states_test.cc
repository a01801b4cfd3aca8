// The table from Slurm job states to attempt outcomes (decisions.md §13), row by row.

#include "slurm/slurm_states.h"

#include <gtest/gtest.h>

namespace salvo {
namespace {

using Kind = AttemptEnd::Kind;

JobView View(const std::string& state, const std::string& reason = "None") {
  JobView v;
  v.job_id = "42";
  SlurmJob job;
  job.id = "42";
  job.job_id = "42";
  job.state = state;
  job.reason = reason;
  v.job = job;
  return v;
}

JobView Ended(const std::string& state, int exit_code,
              std::vector<std::string> signals = {}, bool objective = true) {
  JobView v = View(state);
  v.wrapper = WrapperEnd{exit_code, std::move(signals)};
  v.objective_reported = objective;
  return v;
}

TEST(JudgeJob, PendingAndRunningJobsAreNotOver) {
  for (const char* reason :
       {"Priority", "Resources", "BeginTime", "Dependency", "None"}) {
    JobVerdict v = JudgeJob(View("PENDING", reason));
    EXPECT_FALSE(v.end) << reason;
    EXPECT_FALSE(v.running) << reason;
    EXPECT_EQ(v.note, "") << reason;
  }
  for (const char* state : {"RUNNING", "COMPLETING", "SIGNALING", "STAGE_OUT"}) {
    JobVerdict v = JudgeJob(View(state));
    EXPECT_FALSE(v.end) << state;
    EXPECT_TRUE(v.running) << state;
  }
  EXPECT_FALSE(JudgeJob(View("SUSPENDED")).end);
  EXPECT_FALSE(JudgeJob(View("SOME_FUTURE_STATE")).end);
}

TEST(JudgeJob, CompletedJobEndsWithTheTrialsExit) {
  JobVerdict v = JudgeJob(Ended("COMPLETED", 0));
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kExited);
  EXPECT_EQ(v.end->exit_code, 0);
  EXPECT_FALSE(v.requeued);
}

TEST(JudgeJob, FailedJobEndsWithTheTrialsNonZeroExit) {
  JobVerdict v = JudgeJob(Ended("FAILED", 3));
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kExited);
  EXPECT_EQ(v.end->exit_code, 3);
}

TEST(JudgeJob, FailedJobWhoseWrapperNeverEndedIsAFailureWithTheJobsState) {
  JobView view = View("FAILED", "NonZeroExitCode");
  view.job->exit_code = 1;
  view.wrapper_started = true;
  JobVerdict v = JudgeJob(view);
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kFailed);
  EXPECT_EQ(v.end->exit_code, 1);
  EXPECT_EQ(v.end->reason,
            "Slurm job 42 FAILED (NonZeroExitCode) before the trial ended");
}

TEST(JudgeJob, JobSlurmCouldNotLaunchIsLostNotFailed) {
  JobView view = View("FAILED", "launch failed requeued held");
  view.job->exit_code = 1;
  JobVerdict v = JudgeJob(view);
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kLost);
  EXPECT_EQ(
      v.end->reason,
      "Slurm job 42 FAILED (launch failed requeued held) before its script started");
}

TEST(JudgeJob, CancelledOutsideSalvoIsTerminatedByTheUser) {
  JobVerdict v = JudgeJob(View("CANCELLED"));
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kUserCancelled);
  EXPECT_EQ(v.end->reason, "cancelled outside Salvo (Slurm job 42 CANCELLED)");
}

TEST(JudgeJob, CancelledBySalvoIsAStop) {
  JobView view = View("CANCELLED");
  view.cancel_requested = true;
  JobVerdict v = JudgeJob(view);
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kCancelled);
}

TEST(JudgeJob, TimeoutIsATimeoutEvenAfterTheWarningSignal) {
  JobVerdict v = JudgeJob(Ended("TIMEOUT", 143, {"USR1", "TERM"}, false));
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kTimeout);
  EXPECT_EQ(v.end->exit_code, 143);
  EXPECT_EQ(v.end->reason, "time limit reached (Slurm job 42 TIMEOUT)");
}

TEST(JudgeJob, NodeFailureLosesTheAttempt) {
  JobVerdict v = JudgeJob(View("NODE_FAIL"));
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kLost);
  EXPECT_EQ(v.end->reason, "node failure (Slurm job 42 NODE_FAIL)");
}

TEST(JudgeJob, PreemptedJobIsPreempted) {
  JobVerdict v = JudgeJob(View("PREEMPTED"));
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kPreempted);
  EXPECT_FALSE(v.requeued);  // a cancelled preemption: a new job follows
}

TEST(JudgeJob, OutOfMemoryIsAnErrorWithTheReason) {
  JobVerdict v = JudgeJob(View("OUT_OF_MEMORY", "OutOfMemory"));
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kFailed);
  EXPECT_EQ(v.end->reason, "out of memory (Slurm job 42 OUT_OF_MEMORY (OutOfMemory))");
}

TEST(JudgeJob, RequeuedJobEndsThisAttemptAsPreemptedAndRunsAgain) {
  JobView view = View("PENDING", "BeginTime");
  view.job->restart_count = 1;
  view.attempt_restart = 0;
  JobVerdict v = JudgeJob(view);
  ASSERT_TRUE(v.end);
  EXPECT_EQ(v.end->kind, Kind::kPreempted);
  EXPECT_TRUE(v.requeued);
  EXPECT_EQ(v.end->reason, "requeued by Slurm (job 42, restart 1)");

  // The next attempt, at restart 1, waits for the job to run again.
  view.attempt_restart = 1;
  EXPECT_FALSE(JudgeJob(view).end);
}

TEST(JudgeJob, SignalledTrialWithoutObjectiveIsNotCompleted) {
  JobVerdict term = JudgeJob(Ended("COMPLETED", 0, {"TERM"}, false));
  ASSERT_TRUE(term.end);
  EXPECT_EQ(term.end->kind, Kind::kPreempted);
  EXPECT_EQ(term.end->reason,
            "stopped by Slurm (SIGTERM) before reporting its objective");

  JobVerdict usr1 = JudgeJob(Ended("COMPLETED", 0, {"USR1"}, false));
  ASSERT_TRUE(usr1.end);
  EXPECT_EQ(usr1.end->kind, Kind::kTimeout);

  // With its objective reported, the trial finished despite the warning.
  JobVerdict done = JudgeJob(Ended("COMPLETED", 0, {"USR1"}, true));
  ASSERT_TRUE(done.end);
  EXPECT_EQ(done.end->kind, Kind::kExited);
}

TEST(JudgeJob, HeldJobIsShownThenCancelledAfterTheWait) {
  for (const char* reason :
       {"JobHeldUser", "JobHeldAdmin", "launch failed requeued held"}) {
    JobView view = View("PENDING", reason);
    view.held_for_s = 599;
    JobVerdict waiting = JudgeJob(view, {600});
    EXPECT_FALSE(waiting.end) << reason;
    EXPECT_EQ(waiting.note, std::string("held by Slurm: ") + reason);

    view.held_for_s = 600;
    JobVerdict over = JudgeJob(view, {600});
    ASSERT_TRUE(over.end) << reason;
    EXPECT_EQ(over.end->kind, Kind::kLost);
    EXPECT_TRUE(over.cancel_job);
  }
  EXPECT_TRUE(IsHoldReason("REQUEUE_HOLD", "None"));
  EXPECT_FALSE(IsHoldReason("PENDING", "Priority"));
}

TEST(JudgeJob, JobSlurmForgotIsLostUnlessItsWrapperEnded) {
  JobView gone;
  gone.job_id = "42";
  JobVerdict lost = JudgeJob(gone);
  ASSERT_TRUE(lost.end);
  EXPECT_EQ(lost.end->kind, Kind::kLost);
  EXPECT_EQ(lost.end->reason, "Slurm no longer lists job 42");

  gone.wrapper = WrapperEnd{0, {}};
  gone.objective_reported = true;
  JobVerdict ended = JudgeJob(gone);
  ASSERT_TRUE(ended.end);
  EXPECT_EQ(ended.end->kind, Kind::kExited);

  gone.cancel_requested = true;
  EXPECT_EQ(JudgeJob(gone).end->kind, Kind::kCancelled);
}

}  // namespace
}  // namespace salvo
