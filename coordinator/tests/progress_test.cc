#include "coordinator/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace salvo {
namespace {

constexpr int64_t kSecond = 1000000;
const std::string kIdA = "aaaa1111" + std::string(24, '0');
const std::string kIdB = "bbbb2222" + std::string(24, '0');

TrialOutcome Completed(const std::string& id, const std::string& flags, double loss) {
  return {id, flags, loss, "completed", "", false};
}

TEST(ProgressTest, PrintsOneLinePerTrialAndNoProgressLineWithoutATerminal) {
  std::ostringstream out;
  FakeClock clock;
  Progress progress(out, clock, {false, 2, "loss", false});
  progress.SetTotal(2);
  progress.TrialStarted(kIdA);
  progress.Refresh();
  progress.TrialEnded(Completed(kIdA, "x=0.5 y=2", 0.25));
  progress.Refresh();
  progress.TrialEnded({kIdB, "x=1 y=2", std::nullopt, "error", "exit status 1", true});
  progress.Hide();
  EXPECT_EQ(out.str(),
            "aaaa1111  x=0.5 y=2  loss=0.25  completed\n"
            "bbbb2222  x=1 y=2  loss=-  error (exit status 1)\n");
}

TEST(ProgressTest, CountsDoneRunningAndFailedTrialsAndTheBestObjective) {
  std::ostringstream out;
  FakeClock clock;
  Progress progress(out, clock, {false, 2, "loss", false});
  progress.SetTotal(5);
  EXPECT_EQ(progress.ProgressText(),
            "0/5 done, 0 running, 0 failed, no loss yet, time left unknown");

  progress.TrialStarted(kIdA);
  progress.TrialStarted(kIdB);
  progress.TrialStarted("c");
  clock.Advance(10 * kSecond);
  progress.TrialEnded(Completed(kIdA, "x=1", 0.5));
  progress.TrialEnded({kIdB, "x=2", 0.1, "error", "objective 'loss' is nan", true});
  progress.TrialEnded(Completed("c", "x=3", 0.3));
  EXPECT_EQ(progress.ProgressText(),
            "3/5 done, 0 running, 1 failed, best loss 0.3, about 0:00:10 left");
}

TEST(ProgressTest, BestIsTheHighestObjectiveWhenMaximizing) {
  std::ostringstream out;
  FakeClock clock;
  Progress progress(out, clock, {false, 1, "acc", true});
  progress.SetTotal(3);
  progress.TrialEnded(Completed(kIdA, "x=1", 0.7));
  progress.TrialEnded(Completed(kIdB, "x=2", 0.9));
  progress.TrialEnded(Completed("c", "x=3", 0.8));
  EXPECT_EQ(progress.ProgressText(),
            "3/3 done, 0 running, 0 failed, best acc 0.9, time left unknown");
}

TEST(ProgressTest, EstimatesTimeLeftFromMeanTrialTimeAndParallelTrials) {
  std::ostringstream out;
  FakeClock clock;
  Progress progress(out, clock, {false, 2, "loss", false});
  progress.SetTotal(10);
  progress.TrialStarted(kIdA);
  progress.TrialStarted(kIdB);
  clock.Advance(30 * kSecond);
  progress.TrialEnded(Completed(kIdA, "x=1", 1.0));
  clock.Advance(20 * kSecond);
  progress.TrialEnded(Completed(kIdB, "x=2", 2.0));

  // Mean 40 s, 8 trials left, 2 at once: 160 s, counting down from the last end.
  EXPECT_NE(progress.ProgressText().find("about 0:02:40 left"), std::string::npos);
  clock.Advance(10 * kSecond);
  EXPECT_NE(progress.ProgressText().find("about 0:02:30 left"), std::string::npos);
  clock.Advance(1000 * kSecond);
  EXPECT_NE(progress.ProgressText().find("about 0:00:00 left"), std::string::npos);
}

TEST(ProgressTest, CountsTrialsThatEndedBeforeARestart) {
  std::ostringstream out;
  FakeClock clock;
  Progress progress(out, clock, {false, 1, "loss", false});
  progress.SetTotal(5);
  progress.SetAlreadyDone(3);
  progress.TrialStarted(kIdA);
  EXPECT_EQ(progress.ProgressText().substr(0, 21), "3/5 done, 1 running, ");
  progress.TrialEnded(Completed(kIdA, "x=1", 1.0));
  EXPECT_EQ(progress.ProgressText().substr(0, 21), "4/5 done, 0 running, ");
}

TEST(ProgressTest, OnATerminalRedrawsTheProgressLineInPlaceOnlyWhenItChanges) {
  std::ostringstream out;
  FakeClock clock;
  Progress progress(out, clock, {true, 1, "loss", false});
  progress.SetTotal(2);
  progress.TrialStarted(kIdA);
  progress.Refresh();
  progress.Refresh();
  EXPECT_EQ(out.str(),
            "\r[--------------------] 0/2 done, 1 running, 0 failed, no loss yet, "
            "time left unknown\x1b[K");

  // A trial's line clears the progress line first; the next refresh draws it below.
  out.str("");
  clock.Advance(5 * kSecond);
  progress.TrialEnded(Completed(kIdA, "x=1", 1.5));
  progress.Refresh();
  EXPECT_EQ(out.str(),
            "\r\x1b[K"
            "aaaa1111  x=1  loss=1.5  completed\n"
            "\r[##########----------] 1/2 done, 0 running, 0 failed, best loss 1.5, "
            "about 0:00:05 left\x1b[K");

  out.str("");
  progress.Hide();
  progress.Hide();
  EXPECT_EQ(out.str(), "\r\x1b[K");
}

TEST(ProgressTest, TheBarFillsWithTheTrialsDoneOfTheTotal) {
  std::ostringstream out;
  FakeClock clock;
  Progress progress(out, clock, {true, 1, "loss", false});
  EXPECT_EQ(progress.BarText(10), "[----------]");  // no total yet
  progress.SetTotal(4);
  EXPECT_EQ(progress.BarText(10), "[----------]");
  progress.TrialEnded(Completed(kIdA, "x=1", 1.5));
  EXPECT_EQ(progress.BarText(10), "[##--------]");  // 1/4 of 10, rounded down
  progress.SetAlreadyDone(3);
  EXPECT_EQ(progress.BarText(10), "[#######---]");
  progress.SetAlreadyDone(6);  // more done than the total: the bar is full, not over
  EXPECT_EQ(progress.BarText(10), "[##########]");
}

TEST(ProgressTest, EchoedOutputGoesAboveTheProgressLine) {
  std::ostringstream bar, output;
  FakeClock clock;
  Progress progress(bar, clock, {true, 1, "loss", false});
  progress.SetTotal(2);
  // Before the progress line is drawn, a line is only written.
  progress.Echo(output, "epoch 1");
  EXPECT_EQ(output.str(), "epoch 1\n");
  EXPECT_EQ(bar.str(), "");

  progress.Refresh();
  bar.str("");
  output.str("");
  progress.Echo(output, "loss: 0.5");
  EXPECT_EQ(output.str(), "loss: 0.5\n");
  // The line was cleared before the output and drawn again after it.
  EXPECT_EQ(bar.str(),
            "\r\x1b[K"
            "\r[--------------------] 0/2 done, 0 running, 0 failed, no loss yet, "
            "time left unknown\x1b[K");
}

}  // namespace
}  // namespace salvo
