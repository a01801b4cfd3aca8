// The Slurm executor against scripted Slurm commands and a fake clock: what it submits,
// how it polls, and what happens when squeue fails.

#include "slurm/slurm_executor.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "slurm/slurm_script.h"
#include "slurm/trial_exec.h"

namespace salvo {
namespace {

namespace fs = std::filesystem;

// Answers each Slurm command by program name and keeps every call.
struct FakeSlurm {
  std::map<std::string, CommandOutput> answers;
  std::vector<std::vector<std::string>> calls;
  CommandRunner runner() {
    return [this](const std::vector<std::string>& argv) -> Result<CommandOutput> {
      calls.push_back(argv);
      auto it = answers.find(argv[0]);
      if (it == answers.end()) return Status::NotFound("no " + argv[0]);
      return it->second;
    };
  }
  int Count(const std::string& program) const {
    int n = 0;
    for (const auto& c : calls) n += c[0] == program;
    return n;
  }
};

class SlurmExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("salvo-slurm-exec-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    log_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100);
    saved_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", log_));

    slurm_.answers["sbatch"] = {0, false, "42\n", ""};
    SlurmOptions o;
    o.runner = slurm_.runner();
    o.clock = &clock_;
    o.salvo_path = "/opt/salvo/bin/salvo";
    o.sbatch_args = {"--partition=debug"};
    executor_ = MakeSlurmExecutor(o);

    launch_.run_id = "0123456789abcdef0123456789abcdef";
    launch_.argv = {"/bin/true"};
    launch_.cwd = (dir_ / "run").string();
    launch_.output_path = launch_.cwd + "/output";
    trial_.id = launch_.run_id;
    trial_.batch_id = "fedcba9876543210fedcba9876543210";
    trial_.trial_index = 3;
    trial_.run_dir = launch_.cwd;
    trial_.attempt = 1;
  }
  void TearDown() override {
    executor_.reset();
    spdlog::set_default_logger(saved_);
    fs::remove_all(dir_);
  }

  int Warnings(const std::string& text) const {
    int n = 0;
    for (const std::string& line : log_->last_formatted())
      n += line.find("[warning]") != std::string::npos &&
           line.find(text) != std::string::npos;
    return n;
  }

  fs::path dir_;
  FakeClock clock_{1'000'000'000};
  FakeSlurm slurm_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_;
  std::shared_ptr<spdlog::logger> saved_;
  std::unique_ptr<Executor> executor_;
  TrialLaunch launch_;
  RunRecord trial_;
};

TEST_F(SlurmExecutorTest, SubmitsTheTrialsScriptNamedAfterBatchAndTrial) {
  auto handle = executor_->Start(launch_, trial_, nullptr);
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  EXPECT_EQ((*handle)->external_id(), "42");
  ASSERT_EQ(slurm_.Count("sbatch"), 1);
  std::string script_path = launch_.cwd + "/" + kJobScriptFile;
  EXPECT_EQ(slurm_.calls[0],
            (std::vector<std::string>{"sbatch", "--parsable", script_path}));

  std::ifstream in(script_path);
  std::string script((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(script.find("#SBATCH --job-name=salvo-fedcba98-3\n"), std::string::npos);
  EXPECT_NE(script.find("#SBATCH --requeue\n"), std::string::npos);
  EXPECT_NE(script.find("#SBATCH --open-mode=append\n"), std::string::npos);
  EXPECT_NE(script.find("#SBATCH --signal=B:USR1@60\n"), std::string::npos);
  EXPECT_NE(script.find("#SBATCH --partition=debug\n"), std::string::npos);
  EXPECT_NE(script.find("'/opt/salvo/bin/salvo' trial-exec --spec"), std::string::npos);

  auto spec = ReadTrialSpec(launch_.cwd + "/" + kTrialSpecFile);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->argv, launch_.argv);
}

TEST_F(SlurmExecutorTest, FailedSqueueWarnsOnceAndFailsNothing) {
  auto handle = executor_->Start(launch_, trial_, nullptr);
  ASSERT_TRUE(handle.ok());
  slurm_.answers["squeue"] = {1, false, "",
                              "squeue: error: slurm_load_jobs error: "
                              "Unable to contact slurm controller"};
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE((*handle)->Poll()) << "poll " << i;
    clock_.Advance(3'000'000);
  }
  EXPECT_EQ(slurm_.Count("squeue"), 10);
  EXPECT_EQ(Warnings("squeue failed"), 1);
  // No accounting database is asked (most small clusters have none).
  EXPECT_EQ(slurm_.Count("sacct"), 0);

  // Once squeue answers again, the job's state counts.
  slurm_.answers["squeue"] = {0, false, "42|42|42|N/A|RUNNING|0|0|node7|None\n", ""};
  EXPECT_FALSE((*handle)->Poll());
  EXPECT_EQ((*handle)->host(), "node7");
  clock_.Advance(3'000'000);
  slurm_.answers["squeue"] = {0, false,
                              "42|42|42|N/A|OUT_OF_MEMORY|0|9|node7|OutOfMemory\n", ""};
  auto end = (*handle)->Poll();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->kind, AttemptEnd::Kind::kFailed);
  EXPECT_EQ(Warnings("squeue failed"), 1);
}

TEST_F(SlurmExecutorTest, PollsSqueueAtMostOncePerInterval) {
  auto handle = executor_->Start(launch_, trial_, nullptr);
  ASSERT_TRUE(handle.ok());
  slurm_.answers["squeue"] = {0, false, "42|42|42|N/A|PENDING|0|0|n/a|Priority\n", ""};
  for (int i = 0; i < 5; ++i) EXPECT_FALSE((*handle)->Poll());
  EXPECT_EQ(slurm_.Count("squeue"), 1);
  clock_.Advance(2'000'000);
  EXPECT_FALSE((*handle)->Poll());
  EXPECT_EQ(slurm_.Count("squeue"), 2);
}

TEST_F(SlurmExecutorTest, RequeuedJobContinuesAsTheTrialsNextAttempt) {
  auto first = executor_->Start(launch_, trial_, nullptr);
  ASSERT_TRUE(first.ok());
  slurm_.answers["squeue"] = {0, false, "42|42|42|N/A|PENDING|1|0|n/a|BeginTime\n", ""};
  auto end = (*first)->Poll();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->kind, AttemptEnd::Kind::kPreempted);

  // The second attempt submits nothing: it is the job's next run.
  trial_.attempt = 2;
  auto second = executor_->Start(launch_, trial_, nullptr);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->external_id(), "42");
  EXPECT_EQ(slurm_.Count("sbatch"), 1);
  // The previous run's end, still listed with the new restart count, is not this one's.
  clock_.Advance(3'000'000);
  slurm_.answers["squeue"] = {0, false, "42|42|42|N/A|FAILED|1|36608|localhost|None\n",
                              ""};
  EXPECT_FALSE((*second)->Poll());
  clock_.Advance(3'000'000);
  slurm_.answers["squeue"] = {0, false, "42|42|42|N/A|PENDING|1|0|n/a|BeginTime\n", ""};
  EXPECT_FALSE((*second)->Poll());

  // Its wrapper's end record for restart 1 ends it.
  std::ofstream(launch_.cwd + "/" + kJobEventsFile, std::ios::app)
      << R"({"event":"end","job":"42","restart":0,"time":1,"exit_code":143,"signals":"TERM"})"
      << "\n"
      << R"({"event":"end","job":"42","restart":1,"time":2,"exit_code":0,"signals":""})"
      << "\n";
  std::ofstream(launch_.cwd + "/" + kScalarsFile, std::ios::app)
      << FormatScalarLine({"42", 0, {"loss", 0, 9.0}}) << "\n"
      << FormatScalarLine({"42", 1, {"loss", 0, 0.5}}) << "\n";
  clock_.Advance(3'000'000);
  slurm_.answers["squeue"] = {0, false, "42|42|42|N/A|COMPLETED|1|0|localhost|None\n",
                              ""};
  auto done = (*second)->Poll();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->kind, AttemptEnd::Kind::kExited);
  auto scalars = (*second)->Scalars();
  ASSERT_EQ(scalars.size(), 1u);
  EXPECT_EQ(scalars[0].value, 0.5);
}

TEST_F(SlurmExecutorTest, StopCancelsTheJob) {
  auto handle = executor_->Start(launch_, trial_, nullptr);
  ASSERT_TRUE(handle.ok());
  slurm_.answers["scancel"] = {0, false, "", ""};
  (*handle)->Signal(SIGTERM);
  (*handle)->Signal(SIGTERM);
  ASSERT_EQ(slurm_.Count("scancel"), 1);
  EXPECT_EQ(slurm_.calls.back(), (std::vector<std::string>{"scancel", "42"}));
  slurm_.answers["squeue"] = {0, false, "42|42|42|N/A|CANCELLED|0|15|localhost|None\n",
                              ""};
  auto end = (*handle)->Poll();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->kind, AttemptEnd::Kind::kCancelled);
}

TEST_F(SlurmExecutorTest, HeldJobIsShownThenCancelledForANewAttemptAfterTheWait) {
  auto handle = executor_->Start(launch_, trial_, nullptr);
  ASSERT_TRUE(handle.ok());
  slurm_.answers["scancel"] = {0, false, "", ""};
  slurm_.answers["squeue"] = {0, false, "42|42|42|N/A|PENDING|0|0|n/a|JobHeldUser\n", ""};
  EXPECT_FALSE((*handle)->Poll());
  EXPECT_EQ((*handle)->note(), "held by Slurm: JobHeldUser");
  clock_.Advance(599'000'000);
  EXPECT_FALSE((*handle)->Poll());
  EXPECT_EQ(slurm_.Count("scancel"), 0);
  clock_.Advance(2'000'000);
  auto end = (*handle)->Poll();
  ASSERT_TRUE(end);
  EXPECT_EQ(end->kind, AttemptEnd::Kind::kLost);
  EXPECT_EQ(end->reason,
            "Slurm job 42 PENDING (JobHeldUser) for 601 s; cancelled, to be "
            "resubmitted");
  EXPECT_EQ(slurm_.Count("scancel"), 1);
}

TEST_F(SlurmExecutorTest, PermanentSbatchFailureFailsTheStartWithSlurmsMessage) {
  slurm_.answers["sbatch"] = {
      1, false, "",
      "sbatch: error: Batch job submission failed: Invalid partition name specified\n"};
  auto handle = executor_->Start(launch_, trial_, nullptr);
  ASSERT_FALSE(handle.ok());
  EXPECT_EQ(handle.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(
      handle.status().message(),
      "sbatch: error: Batch job submission failed: Invalid partition name specified");
  EXPECT_EQ(slurm_.Count("sbatch"), 1);
}

TEST(SlurmConfig, ReadsEveryKeyIntoSbatchOptionsAndSettings) {
  fs::path path =
      fs::temp_directory_path() / ("salvo-slurm-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(path)
      << "partition: gpu\naccount: lab\ntime: \"1:00:00\"\n"
         "gpus-per-trial: 2\nextra-args: [\"--qos=high\", \"-C\", \"v100\"]\n"
         "signal: B:USR1@120\npoll-interval: 0.5\nhold-wait: 60\n"
         "max-jobs: 8\n";
  SlurmOptions o;
  o.sbatch_args = {"--mem=1G"};
  ASSERT_TRUE(ApplySlurmConfigFile(path.string(), &o).ok());
  EXPECT_EQ(o.sbatch_args, (std::vector<std::string>{
                               "--partition=gpu", "--account=lab", "--time=1:00:00",
                               "--gpus=2", "--qos=high", "-C v100", "--mem=1G"}));
  EXPECT_EQ(o.signal, "B:USR1@120");
  EXPECT_EQ(o.poll_interval.count(), 500);
  EXPECT_EQ(o.hold_wait_s, 60);
  EXPECT_EQ(o.max_jobs, 8);

  std::ofstream(path) << "partiton: gpu\n";
  Status bad = ApplySlurmConfigFile(path.string(), &o);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("unknown Slurm setting 'partiton'"), std::string::npos);
  fs::remove(path);
}

TEST(SlurmConfig, ShippedExampleParses) {
  const char* src = std::getenv("SALVO_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  SlurmOptions o;
  Status s = ApplySlurmConfigFile(std::string(src) + "/configs/slurm.yaml", &o);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(o.sbatch_args.empty());
  EXPECT_EQ(o.signal, "B:USR1@60");
}

}  // namespace
}  // namespace salvo

namespace salvo {
namespace {

TEST(AgentArrayScript, OneArrayOfAgentsEachWithItsOwnNameAndHome) {
  AgentArraySpec spec;
  spec.count = 4;
  spec.connect = "tcp://head:5555";
  spec.salvo_path = "/opt/salvo";
  spec.output_dir = "/home/u/.salvo/slurm/agents-1";
  spec.signal = "B:USR1@60";
  spec.sbatch_args = {"--partition=short"};
  std::string script = AgentArrayScript(spec);
  EXPECT_NE(script.find("#SBATCH --job-name=salvo-agents\n"), std::string::npos);
  EXPECT_NE(script.find("#SBATCH --array=0-3\n"), std::string::npos);
  EXPECT_NE(script.find("#SBATCH --partition=short\n"), std::string::npos);
  EXPECT_NE(script.find(
                "exec '/opt/salvo' agent --connect 'tcp://head:5555' --name "
                "\"slurm-$task\" --home '/home/u/.salvo/slurm/agents-1'/\"agent-$task\""),
            std::string::npos)
      << script;
  EXPECT_EQ(script.find("--key"), std::string::npos);  // no Curve unless given
  EXPECT_NE(script.find(" ${CUDA_VISIBLE_DEVICES:+--gpus \"$CUDA_VISIBLE_DEVICES\"}\n"),
            std::string::npos);
}

TEST(AgentArrayScript, AgentsGetTheirKeysSlotsAndGpusPerTrial) {
  AgentArraySpec spec;
  spec.connect = "tcp://head:5555";
  spec.salvo_path = "/opt/salvo";
  spec.output_dir = "/out";
  spec.key = "/keys/agent.key";
  spec.server_key = "/keys/coord.pub";
  spec.slots = 4;
  spec.gpus_per_trial = 2;
  std::string script = AgentArrayScript(spec);
  EXPECT_NE(script.find("/\"agent-$task\" --key '/keys/agent.key' --server-key "
                        "'/keys/coord.pub' --slots 4 --gpus-per-trial 2 "
                        "${CUDA_VISIBLE_DEVICES:+--gpus \"$CUDA_VISIBLE_DEVICES\"}\n"),
            std::string::npos)
      << script;
}

}  // namespace
}  // namespace salvo
