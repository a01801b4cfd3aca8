#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "coordinator/run_selection.h"
#include "coordinator/store_access.h"
#include "coordinator/tests/views_fixture.h"

namespace salvo {
namespace {

namespace fs = std::filesystem;
using testing::Id;
using testing::XFlags;

class RunsCmdTest : public testing::ViewsTest {
 protected:
  // The walkthrough's first grid: a `+` batch and three trials, after one single run.
  void AddGrid() {
    RunRecord single = Trial(Id("68f4da74"), -3400, {{"x", FlagValue::Float(0.1)}});
    single.flags["noise"] = FlagValue::Float(0.1);
    single.label = "noise=0.1 x=0.1";
    Add(single);
    Add(Batch(Id("bfcff413"), 0, "+"));
    const char* ids[] = {"468bb240", "83dc048d", "1933bdcb"};
    for (int i = 0; i < 3; ++i) {
      RunRecord t = Trial(Id(ids[i]), 1 + i / 2, {}, Id("bfcff413"), i);
      t.flags = {{"noise", FlagValue::Float(0.1)}, {"x", FlagValue::Int(i - 1)}};
      t.label = "noise=0.1 x=" + std::to_string(i - 1);
      Add(t);
    }
  }

  void WriteFile(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
};

TEST_F(RunsCmdTest, ListsRunsNewestFirstInAlignedColumns) {
  AddGrid();
  EXPECT_EQ(RunsList(Context(), RunsOptions{}), 0);
  EXPECT_EQ(out_.str(),
            "[1:1933bdcb]  train.py   2020-01-14 09:38:15  completed  noise=0.1 x=1\n"
            "[2:83dc048d]  train.py   2020-01-14 09:38:14  completed  noise=0.1 x=0\n"
            "[3:468bb240]  train.py   2020-01-14 09:38:14  completed  noise=0.1 x=-1\n"
            "[4:bfcff413]  train.py+  2020-01-14 09:38:13  completed\n"
            "[5:68f4da74]  train.py   2020-01-14 08:41:33  completed  noise=0.1 x=0.1\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(RunsCmdTest, ShowsTwentyRunsAndSaysHowToSeeAll) {
  for (int i = 0; i < 25; ++i) Add(Trial(Id("c" + std::to_string(10 + i)), i, XFlags(i)));
  EXPECT_EQ(RunsList(Context(), RunsOptions{}), 0);
  std::string text = out_.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 20);
  EXPECT_TRUE(text.starts_with("[1:c3400000]")) << text;
  EXPECT_EQ(err_.str(), "Showing the first 20 runs (25 total) - use --all to show all\n");

  out_.str("");
  err_.str("");
  RunsOptions all;
  all.sel.all = true;
  EXPECT_EQ(RunsList(Context(), all), 0);
  text = out_.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 25);
  EXPECT_EQ(err_.str(), "");
}

TEST_F(RunsCmdTest, FiltersByStatusAndOperation) {
  AddGrid();
  RunsOptions opt;
  opt.sel.operations = {"train.py+"};
  EXPECT_EQ(RunsList(Context(), opt), 0);
  EXPECT_EQ(out_.str(), "[1:bfcff413]  train.py+  2020-01-14 09:38:13  completed\n");

  out_.str("");
  opt = RunsOptions{};
  opt.sel.status.exclude = {"completed"};
  EXPECT_EQ(RunsList(Context(), opt), 0);
  EXPECT_EQ(out_.str(), "");
}

TEST_F(RunsCmdTest, JsonListsRecordsWithTheStatusToBelieve) {
  RunRecord dead = Trial(Id("d1"), 0, XFlags(1));
  dead.status = RunStatus::kRunning;
  Add(dead);
  ViewContext ctx = Context();
  ctx.status = [](const RunRecord&) { return RunStatus::kTerminated; };
  RunsOptions opt;
  opt.json = true;
  EXPECT_EQ(RunsList(ctx, opt), 0);

  auto json = nlohmann::json::parse(out_.str());
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["id"], Id("d1"));
  EXPECT_EQ(json[0]["status"], "terminated");
  EXPECT_EQ(json[0]["operation"], "train.py");
}

TEST_F(RunsCmdTest, InfoOfATrialShowsFlagsScalarsAndWhereItRan) {
  RunRecord t = Trial(Id("e1"), 0, XFlags(-0.5), Id("b0"), 2);
  t.label = "noise=0.1 x=-0.5";
  Add(t);
  ASSERT_TRUE(
      store_->AppendScalars(Id("e1"), {{"loss", 0, 0.25}, {"loss", 1, -0.125}}).ok());

  EXPECT_EQ(RunsInfo(Context(), RunsInfoOptions{"e1"}), 0);
  EXPECT_EQ(out_.str(), "id: " + Id("e1") +
                            "\n"
                            "operation: train.py\n"
                            "kind: trial\n"
                            "status: completed\n"
                            "started: 2020-01-14 09:38:13\n"
                            "stopped: 2020-01-14 09:38:15\n"
                            "time: 0:00:02\n"
                            "label: noise=0.1 x=-0.5\n"
                            "batch: " +
                            Id("b0") +
                            "\n"
                            "trial: 3\n"
                            "attempt: 1\n"
                            "run dir: " +
                            home_.run_dir(Id("e1")) +
                            "\n"
                            "exit code: 0\n"
                            "flags:\n"
                            "  noise: 0.1\n"
                            "  x: -0.5\n"
                            "scalars:\n"
                            "  loss: -0.125 (step 1)\n");
}

TEST_F(RunsCmdTest, InfoOfABatchShowsOptimizerCountersAndTrialsByStatus) {
  RunRecord b = Batch(Id("b0"), 0, "gp");
  b.optimizer_flags = {{"kappa", FlagValue::Float(1.96)}};
  b.max_trials = 10;
  b.seed = 42;
  b.random_trials = 3;
  b.guided_trials = 7;
  b.duplicates_replaced = 1;
  b.first_error = "exit status 1";
  b.notes = {"objective 'loss' missing in 1 trial"};
  Add(b);
  for (int i = 0; i < 3; ++i) {
    RunRecord t = Trial(Id("t" + std::to_string(i)), 1 + i, XFlags(i), Id("b0"), i);
    if (i == 1) t.status = RunStatus::kError;
    Add(t);
  }

  EXPECT_EQ(RunsInfo(Context(), RunsInfoOptions{"b0"}), 0);
  std::string text = out_.str();
  for (const char* line :
       {"operation: train.py+gp\n", "optimizer: gp\n",
        "optimizer flags:\n  kappa: 1.96\n", "max trials: 10\n", "seed: 42\n",
        "objective: minimize loss\n", "trials: 3 (2 completed, 1 error)\n",
        "starts: 3 random / 7 guided\n", "duplicates replaced: 1\n",
        "first error: exit status 1\n",
        "notes:\n  objective 'loss' missing in 1 trial\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " in\n" << text;
  }
  EXPECT_EQ(text.find("exit code"), std::string::npos);
}

TEST_F(RunsCmdTest, InfoOfAnUnknownRunIsBadInput) {
  AddGrid();
  EXPECT_EQ(RunsInfo(Context(), RunsInfoOptions{"zz"}), 2);
  EXPECT_EQ(err_.str(),
            "salvo: error: could not find a run matching 'zz'\n"
            "Try 'salvo runs' for a list of runs.\n");
}

TEST_F(RunsCmdTest, RemovingABatchRemovesItsTrialsAndFolders) {
  AddGrid();
  for (const char* id : {"bfcff413", "1933bdcb", "68f4da74"})
    WriteFile(home_.run_dir(Id(id)) + "/output", "loss: 1\n");
  RunsRmOptions opt;
  opt.sel.runs = {"bfcff413"};
  opt.yes = true;

  EXPECT_EQ(RunsRm(Context(), opt), 0);
  EXPECT_EQ(out_.str(), "Deleted 4 run(s)\n");
  auto left = store_->List();
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().id, Id("68f4da74"));
  EXPECT_FALSE(fs::exists(home_.run_dir(Id("bfcff413"))));
  EXPECT_FALSE(fs::exists(home_.run_dir(Id("1933bdcb"))));
  EXPECT_TRUE(fs::exists(home_.run_dir(Id("68f4da74")) + "/output"));
}

TEST_F(RunsCmdTest, RemovingLeavesFoldersOutsideTheHomeAlone) {
  std::string outside = home_.dir + "-outside";
  WriteFile(outside + "/keep", "x");
  RunRecord t = Trial(Id("f1"), 0, XFlags(1));
  t.run_dir = outside;
  Add(t);
  RunsRmOptions opt;
  opt.sel.runs = {"f1"};
  opt.yes = true;
  EXPECT_EQ(RunsRm(Context(), opt), 0);
  EXPECT_TRUE(fs::exists(outside + "/keep"));
  fs::remove_all(outside);
}

TEST_F(RunsCmdTest, RemovingARunningRunIsRefused) {
  AddGrid();
  RunRecord running = Trial(Id("99"), 100, XFlags(2), Id("bfcff413"), 3);
  running.status = RunStatus::kRunning;
  Add(running);
  RunsRmOptions opt;
  opt.sel.runs = {"bfcff413"};
  opt.yes = true;

  EXPECT_EQ(RunsRm(Context(), opt), 2);
  EXPECT_EQ(err_.str(),
            "salvo: error: run 99000000 is running; it cannot be deleted\n"
            "Try 'salvo stop 99000000' first.\n");
  EXPECT_EQ(store_->List()->size(), 6u);
}

TEST_F(RunsCmdTest, RemovingARunWhoseRunnerIsGoneSucceeds) {
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  RunRecord orphan = Trial(Id("0d"), 0, XFlags(1));
  orphan.status = RunStatus::kRunning;
  orphan.runner_pid = child;
  Add(orphan);
  ViewContext ctx = Context();
  ctx.status = EffectiveStatus;

  EXPECT_EQ(RunsList(ctx, RunsOptions{}), 0);
  EXPECT_NE(out_.str().find("  terminated  "), std::string::npos) << out_.str();
  RunsRmOptions opt;
  opt.sel.runs = {"0d"};
  opt.yes = true;
  EXPECT_EQ(RunsRm(ctx, opt), 0);
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(RunsCmdTest, RemovingAsksFirstAndAbortsWithoutAnAnswer) {
  AddGrid();
  RunsRmOptions opt;
  opt.sel.runs = {"1933"};
  EXPECT_EQ(RunsRm(Context(), opt), 1);
  EXPECT_EQ(err_.str(),
            "salvo: no answer at the prompt (use -y to run without asking)\n");
  EXPECT_TRUE(out_.str().starts_with("You are about to delete 1 run(s):\n  1933bdcb  "));
  EXPECT_NE(out_.str().find("Continue? (Y/n) "), std::string::npos);
  EXPECT_EQ(store_->List()->size(), 5u);
}

TEST_F(RunsCmdTest, RemovingTakesEnterAsYesAndNoAsNo) {
  AddGrid();
  RunsRmOptions opt;
  opt.sel.runs = {"1933"};
  in_.str("n\n");
  EXPECT_EQ(RunsRm(Context(), opt), 1);
  EXPECT_EQ(store_->List()->size(), 5u);

  in_.clear();
  in_.str("\n");
  EXPECT_EQ(RunsRm(Context(), opt), 0);
  EXPECT_EQ(store_->List()->size(), 4u);
}

TEST_F(RunsCmdTest, CatPrintsTheOutputLogBytes) {
  AddGrid();
  std::string log = "x: 1\nloss: 0.5\n\x01tail without newline";
  WriteFile(home_.run_dir(Id("83dc048d")) + "/output", log);
  EXPECT_EQ(Cat(Context(), CatOptions{"83dc"}), 0);
  EXPECT_EQ(out_.str(), log);
}

TEST_F(RunsCmdTest, CatOfTheNewestRunByDefaultAndOfARunWithoutLog) {
  AddGrid();
  WriteFile(home_.run_dir(Id("1933bdcb")) + "/output", "newest\n");
  EXPECT_EQ(Cat(Context(), CatOptions{}), 0);
  EXPECT_EQ(out_.str(), "newest\n");

  EXPECT_EQ(Cat(Context(), CatOptions{"bfcf"}), 2);
  EXPECT_EQ(err_.str(), "salvo: error: run bfcff413 (train.py+) has no output log\n");
}

}  // namespace
}  // namespace salvo
