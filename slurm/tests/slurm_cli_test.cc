// The parsers of squeue and `scontrol show job -o` output (samples from Slurm 22.05.8 on
// the local test cluster), array range expansion and sbatch failure handling.

#include "slurm/slurm_cli.h"

#include <gtest/gtest.h>

#include <deque>

namespace salvo {
namespace {

// squeue --noheader --states=all --Format=<kSqueueFormat>, with an array of 10 tasks
// throttled to 2 (two running, eight pending as one compressed line) and a held job.
constexpr char kSqueueSample[] =
    "1_[2-9%2]|1|1|2-9%2|PENDING|0|0|n/a|JobArrayTaskLimit\n"
    "2|2|2|N/A|PENDING|0|0|n/a|JobHeldUser\n"
    "1_0|3|1|0|RUNNING|0|0|localhost|None\n"
    "1_1|4|1|1|RUNNING|0|0|localhost|None\n"
    "5|5|5|N/A|FAILED|0|768|localhost|NonZeroExitCode\n"
    "1_0|3|1|0|CANCELLED|0|15|localhost|None\n";

TEST(ParseSqueue, ExpandsCompressedPendingArrayTasks) {
  auto jobs = ParseSqueue(kSqueueSample);
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  ASSERT_EQ(jobs->size(), 8u + 5u);
  for (int task = 2; task <= 9; ++task) {
    const SlurmJob& j = (*jobs)[task - 2];
    EXPECT_EQ(j.id, "1_" + std::to_string(task));
    EXPECT_EQ(j.array_job_id, "1");
    EXPECT_EQ(j.array_task, std::to_string(task));
    EXPECT_EQ(j.state, "PENDING");
    EXPECT_EQ(j.reason, "JobArrayTaskLimit");
    EXPECT_EQ(j.host, "");
  }
}

TEST(ParseSqueue, ReadsPlainJobsAndArrayTasks) {
  auto jobs = ParseSqueue(kSqueueSample);
  ASSERT_TRUE(jobs.ok());
  const SlurmJob& held = (*jobs)[8];
  EXPECT_EQ(held.id, "2");
  EXPECT_EQ(held.array_job_id, "");
  EXPECT_EQ(held.array_task, "");
  EXPECT_EQ(held.reason, "JobHeldUser");

  const SlurmJob& task0 = (*jobs)[9];
  EXPECT_EQ(task0.id, "1_0");
  EXPECT_EQ(task0.job_id, "3");
  EXPECT_EQ(task0.array_task, "0");
  EXPECT_EQ(task0.state, "RUNNING");
  EXPECT_EQ(task0.host, "localhost");
  EXPECT_EQ(task0.reason, "None");
}

TEST(ParseSqueue, DecodesWaitStatusIntoExitCodeAndSignal) {
  auto jobs = ParseSqueue(kSqueueSample);
  ASSERT_TRUE(jobs.ok());
  const SlurmJob& failed = (*jobs)[11];
  EXPECT_EQ(failed.state, "FAILED");
  EXPECT_EQ(failed.exit_code, 3);  // 768 = 3 << 8
  EXPECT_EQ(failed.exit_signal, 0);
  const SlurmJob& cancelled = (*jobs)[12];
  EXPECT_EQ(cancelled.exit_code, 128 + 15);
  EXPECT_EQ(cancelled.exit_signal, 15);
}

TEST(ParseSqueue, KeepsBarsInsideTheReason) {
  auto jobs = ParseSqueue("9|9|9|N/A|PENDING|2|0|n/a|launch failed requeued held|x\n");
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].reason, "launch failed requeued held|x");
  EXPECT_EQ((*jobs)[0].restart_count, 2);
}

TEST(ParseSqueue, RejectsLinesWithoutTheFormatsFields) {
  auto short_line = ParseSqueue("1|2|3\n");
  ASSERT_FALSE(short_line.ok());
  EXPECT_NE(short_line.status().message().find("too few fields"), std::string::npos);
  EXPECT_FALSE(ParseSqueue("1|1|1|N/A|RUNNING|x|0|h|None\n").ok());
  EXPECT_FALSE(ParseSqueue("|1|1|N/A|RUNNING|0|0|h|None\n").ok());
  EXPECT_FALSE(ParseSqueue("1_[9-2]|1|1|9-2|PENDING|0|0|n/a|None\n").ok());
}

TEST(ParseSqueue, EmptyOutputIsNoJobs) {
  auto jobs = ParseSqueue("\n  \n");
  ASSERT_TRUE(jobs.ok());
  EXPECT_TRUE(jobs->empty());
}

// scontrol show job -o, shortened after the fields Salvo reads.
constexpr char kScontrolRunningTask[] =
    "JobId=3 ArrayJobId=1 ArrayTaskId=0 ArrayTaskThrottle=2 JobName=wrap UserId=root(0) "
    "GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) "
    "JobState=RUNNING Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 "
    "Reboot=0 ExitCode=0:0 RunTime=00:00:01 TimeLimit=UNLIMITED TimeMin=N/A "
    "Partition=debug AllocNode:Sid=localhost:4342 NodeList=localhost BatchHost=localhost "
    "Command=(null) WorkDir=/tmp/a dir with spaces StdOut=/tmp/a dir with spaces/o";
constexpr char kScontrolPendingArray[] =
    "JobId=1 ArrayJobId=1 ArrayTaskId=2-9%2 ArrayTaskThrottle=2 JobName=wrap "
    "UserId=root(0) JobState=PENDING Reason=JobArrayTaskLimit Dependency=(null) "
    "Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 Partition=debug";
constexpr char kScontrolRequeued[] =
    "JobId=17 JobName=salvo-1a2b3c4d-0 UserId=root(0) JobState=PENDING Reason=BeginTime "
    "Dependency=(null) Requeue=1 Restarts=1 BatchFlag=1 Reboot=0 ExitCode=0:15 "
    "Partition=debug BatchHost=localhost";

TEST(ParseScontrolFields, ValuesKeepTheirSpaces) {
  auto f = ParseScontrolFields(kScontrolRunningTask);
  EXPECT_EQ(f["WorkDir"], "/tmp/a dir with spaces");
  EXPECT_EQ(f["StdOut"], "/tmp/a dir with spaces/o");
  EXPECT_EQ(f["AllocNode:Sid"], "localhost:4342");
  EXPECT_EQ(f["UserId"], "root(0)");
  EXPECT_EQ(f["JobState"], "RUNNING");
}

TEST(ParseScontrolShowJob, ReadsARunningArrayTask) {
  auto jobs = ParseScontrolShowJob(kScontrolRunningTask);
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  ASSERT_EQ(jobs->size(), 1u);
  const SlurmJob& j = (*jobs)[0];
  EXPECT_EQ(j.id, "1_0");
  EXPECT_EQ(j.job_id, "3");
  EXPECT_EQ(j.array_job_id, "1");
  EXPECT_EQ(j.array_task, "0");
  EXPECT_EQ(j.state, "RUNNING");
  EXPECT_EQ(j.host, "localhost");
  EXPECT_TRUE(j.requeue);
}

TEST(ParseScontrolShowJob, ExpandsAPendingTaskRange) {
  auto jobs = ParseScontrolShowJob(kScontrolPendingArray);
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  ASSERT_EQ(jobs->size(), 8u);
  EXPECT_EQ((*jobs)[0].id, "1_2");
  EXPECT_EQ((*jobs)[7].id, "1_9");
  EXPECT_EQ((*jobs)[7].array_task, "9");
  EXPECT_EQ((*jobs)[7].reason, "JobArrayTaskLimit");
}

TEST(ParseScontrolShowJob, ReadsRestartsAndExitSignalOfARequeuedJob) {
  std::string text = std::string(kScontrolRunningTask) + "\n" + kScontrolRequeued + "\n";
  auto jobs = ParseScontrolShowJob(text);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  const SlurmJob& j = (*jobs)[1];
  EXPECT_EQ(j.id, "17");
  EXPECT_EQ(j.array_job_id, "");
  EXPECT_EQ(j.restart_count, 1);
  EXPECT_EQ(j.exit_code, 0);
  EXPECT_EQ(j.exit_signal, 15);
  EXPECT_EQ(j.reason, "BeginTime");
}

TEST(ParseScontrolShowJob, RejectsLinesWithoutJobIdOrState) {
  EXPECT_FALSE(ParseScontrolShowJob("JobName=x JobState=RUNNING").ok());
  EXPECT_FALSE(ParseScontrolShowJob("JobId=3 JobName=x").ok());
  EXPECT_FALSE(ParseScontrolShowJob("JobId=3 JobState=RUNNING Restarts=many").ok());
  EXPECT_FALSE(ParseScontrolShowJob("JobId=3 JobState=RUNNING ExitCode=3").ok());
}

TEST(ExpandArrayTasks, ExpandsRangesListsStepsAndDropsTheThrottle) {
  using V = std::vector<int64_t>;
  EXPECT_EQ(*ExpandArrayTasks("2-9%2"), (V{2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(*ExpandArrayTasks("[1,3,5-7]"), (V{1, 3, 5, 6, 7}));
  EXPECT_EQ(*ExpandArrayTasks("0-20:5"), (V{0, 5, 10, 15, 20}));
  EXPECT_EQ(*ExpandArrayTasks("0-9:4%1"), (V{0, 4, 8}));
  EXPECT_EQ(*ExpandArrayTasks("7"), (V{7}));
}

TEST(ExpandArrayTasks, RejectsMalformedListsAndHugeRanges) {
  for (const char* bad :
       {"", "[]", "9-2", "a-3", "1-", "-1", "1,,2", "1-5:0", "1-5%x", "1-3-5"}) {
    EXPECT_FALSE(ExpandArrayTasks(bad).ok()) << bad;
  }
  auto huge = ExpandArrayTasks("0-9223372036854775807", 1000);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("more than 1000"), std::string::npos);
}

TEST(ExpandArrayJobId, ExpandsOnlyCompactIds) {
  using V = std::vector<std::string>;
  EXPECT_EQ(*ExpandArrayJobId("12_[2-9%2]"),
            (V{"12_2", "12_3", "12_4", "12_5", "12_6", "12_7", "12_8", "12_9"}));
  EXPECT_EQ(*ExpandArrayJobId("12_4"), (V{"12_4"}));
  EXPECT_EQ(*ExpandArrayJobId("12"), (V{"12"}));
  EXPECT_FALSE(ExpandArrayJobId("x_[1-2]").ok());
  EXPECT_FALSE(ExpandArrayJobId("12_[1-2").ok());
}

TEST(ParseExitCode, ReadsStatusAndSignal) {
  EXPECT_EQ(*ParseExitCode("3:0"), std::make_pair(3, 0));
  EXPECT_EQ(*ParseExitCode("0:15"), std::make_pair(0, 15));
  EXPECT_FALSE(ParseExitCode("3").ok());
  EXPECT_FALSE(ParseExitCode("-1:0").ok());
  EXPECT_EQ(DecodeWaitStatus(768), std::make_pair(3, 0));
  EXPECT_EQ(DecodeWaitStatus(9), std::make_pair(137, 9));
  EXPECT_EQ(DecodeWaitStatus(-2), std::make_pair(0, 0));
}

TEST(ParseSbatchJobId, ReadsTheIdAfterWarningsAndBeforeTheCluster) {
  EXPECT_EQ(*ParseSbatchJobId("42\n"), "42");
  EXPECT_EQ(*ParseSbatchJobId("42;cluster1\n"), "42");
  EXPECT_EQ(*ParseSbatchJobId("sbatch: warning: something\n43\n"), "43");
  EXPECT_FALSE(ParseSbatchJobId("Submitted batch job 42\n").ok());
}

// ---------------------------------------------------------------------------------------
// sbatch failures

// A runner that answers sbatch with the queued outputs in turn and records each call.
struct ScriptedRunner {
  std::deque<CommandOutput> answers;
  std::vector<std::vector<std::string>> calls;
  CommandRunner runner() {
    return [this](const std::vector<std::string>& argv) -> Result<CommandOutput> {
      calls.push_back(argv);
      CommandOutput out = answers.front();
      if (answers.size() > 1) answers.pop_front();
      return out;
    };
  }
};

CommandOutput Failure(const std::string& err) { return {1, false, "", err}; }

TEST(IsTransientSlurmError, SortsControllerTroubleFromBadRequests) {
  EXPECT_TRUE(
      IsTransientSlurmError("sbatch: error: Batch job submission failed: Socket timed "
                            "out on send/recv operation",
                            false));
  EXPECT_TRUE(IsTransientSlurmError(
      "sbatch: error: Batch job submission failed: Unable to contact slurm controller "
      "(connect failure)",
      false));
  EXPECT_TRUE(IsTransientSlurmError(
      "sbatch: error: Slurm temporarily unable to accept job, sleeping and retrying",
      false));
  EXPECT_TRUE(IsTransientSlurmError("", true));
  EXPECT_FALSE(IsTransientSlurmError(
      "sbatch: error: invalid partition specified: nosuch\n"
      "sbatch: error: Batch job submission failed: Invalid partition name specified",
      false));
  EXPECT_FALSE(IsTransientSlurmError(
      "sbatch: error: Batch job submission failed: Invalid account or account/partition "
      "combination specified",
      false));
}

TEST(SlurmCliSubmit, RetriesTransientFailuresWithDoublingBackoff) {
  ScriptedRunner fake;
  fake.answers = {
      Failure(
          "sbatch: error: Batch job submission failed: Socket timed out on send/recv"),
      {0, true, "", ""},  // timed out
      Failure("sbatch: error: Slurm temporarily unable to accept job"),
      {0, false, "77\n", ""},
  };
  std::vector<int64_t> delays;
  SlurmCli cli({}, fake.runner(),
               {5, std::chrono::milliseconds(100), std::chrono::milliseconds(250)},
               [&](std::chrono::milliseconds d) { delays.push_back(d.count()); });
  auto job = cli.Submit("/run/job.sh", {"--partition=debug"});
  ASSERT_TRUE(job.ok()) << job.status().message();
  EXPECT_EQ(*job, "77");
  EXPECT_EQ(delays, (std::vector<int64_t>{100, 200, 250}));
  ASSERT_EQ(fake.calls.size(), 4u);
  EXPECT_EQ(fake.calls[0],
            (std::vector<std::string>{"sbatch", "--parsable", "--partition=debug",
                                      "/run/job.sh"}));
}

TEST(SlurmCliSubmit, GivesUpOnTransientFailuresAfterTheLastAttempt) {
  ScriptedRunner fake;
  fake.answers = {Failure("sbatch: error: Unable to contact slurm controller")};
  int sleeps = 0;
  SlurmCli cli({}, fake.runner(),
               {3, std::chrono::milliseconds(1), std::chrono::milliseconds(1)},
               [&](std::chrono::milliseconds) { ++sleeps; });
  auto job = cli.Submit("job.sh", {});
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().code(), Code::kUnavailable);
  EXPECT_NE(job.status().message().find("Unable to contact slurm controller"),
            std::string::npos);
  EXPECT_NE(job.status().message().find("after 3 attempts"), std::string::npos);
  EXPECT_EQ(fake.calls.size(), 3u);
  EXPECT_EQ(sleeps, 2);
}

TEST(SlurmCliSubmit, PermanentFailureIsNotRetriedAndCarriesSlurmsMessage) {
  ScriptedRunner fake;
  fake.answers = {Failure(
      "sbatch: error: invalid partition specified: nosuch\n"
      "sbatch: error: Batch job submission failed: Invalid partition name specified\n")};
  int sleeps = 0;
  SlurmCli cli({}, fake.runner(), {}, [&](std::chrono::milliseconds) { ++sleeps; });
  auto job = cli.Submit("job.sh", {});
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(
      job.status().message(),
      "sbatch: error: invalid partition specified: nosuch; sbatch: error: Batch job "
      "submission failed: Invalid partition name specified");
  EXPECT_EQ(fake.calls.size(), 1u);
  EXPECT_EQ(sleeps, 0);
}

TEST(SlurmCliQueue, AForgottenSingleJobIsNoJobsNotAnError) {
  ScriptedRunner fake;
  fake.answers = {Failure("slurm_load_jobs error: Invalid job id specified")};
  SlurmCli cli({}, fake.runner());
  auto jobs = cli.Queue({"99"});
  ASSERT_TRUE(jobs.ok());
  EXPECT_TRUE(jobs->empty());
  ASSERT_EQ(fake.calls.size(), 1u);
  EXPECT_EQ(fake.calls[0][3], "--jobs=99");
}

TEST(SlurmCliShowJob, UnknownJobIsNotFound) {
  ScriptedRunner fake;
  fake.answers = {Failure("slurm_load_jobs error: Invalid job id specified")};
  SlurmCli cli({}, fake.runner());
  auto jobs = cli.ShowJob("99");
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace salvo
