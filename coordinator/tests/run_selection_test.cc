#include "coordinator/run_selection.h"

#include <gtest/gtest.h>

#include "common/core/ids.h"
#include "coordinator/tests/views_fixture.h"

namespace salvo {
namespace {

using testing::Id;
using testing::XFlags;

class RunSelectionTest : public testing::ViewsTest {
 protected:
  // Five runs, `a1..` oldest to `a5..` newest.
  void AddFiveRuns() {
    for (int i = 1; i <= 5; ++i) Add(Trial(Id("a" + std::to_string(i)), i, XFlags(i)));
  }

  std::vector<std::string> ShortIds(const Result<std::vector<RunView>>& runs) {
    EXPECT_TRUE(runs.ok()) << runs.status().message();
    std::vector<std::string> ids;
    if (runs.ok())
      for (const RunView& run : *runs) ids.push_back(ShortId(run.record.id).substr(0, 2));
    return ids;
  }

  Result<std::vector<RunView>> Pick(std::vector<std::string> args) {
    RunSelection sel;
    sel.runs = std::move(args);
    return SelectRuns(Context(), sel);
  }
};

using Names = std::vector<std::string>;

TEST_F(RunSelectionTest, ListsNewestFirstAndABatchsTrialsLastIndexFirst) {
  Add(Batch(Id("b0"), 10, "+"));
  for (int i = 0; i < 3; ++i)
    Add(Trial(Id("t" + std::to_string(i)), 11, XFlags(i), Id("b0"), i));
  Add(Trial(Id("c0"), 5, XFlags(9)));

  auto runs = LoadRuns(Context());
  EXPECT_EQ(ShortIds(runs), (Names{"t2", "t1", "t0", "b0", "c0"}));
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->front().index, 1);
  EXPECT_EQ(runs->back().index, 5);
}

TEST_F(RunSelectionTest, IndexesAndRangesCountFromOneNewestFirst) {
  AddFiveRuns();
  EXPECT_EQ(ShortIds(Pick({"1"})), (Names{"a5"}));
  EXPECT_EQ(ShortIds(Pick({"2:3"})), (Names{"a4", "a3"}));
  EXPECT_EQ(ShortIds(Pick({"4:"})), (Names{"a2", "a1"}));
  EXPECT_EQ(ShortIds(Pick({":2"})), (Names{"a5", "a4"}));
  EXPECT_EQ(ShortIds(Pick({":"})).size(), 5u);
  EXPECT_EQ(ShortIds(Pick({"5", "1", "1"})), (Names{"a5", "a1"}));
}

TEST_F(RunSelectionTest, RangeEndingPastTheListTakesEveryRun) {
  AddFiveRuns();
  EXPECT_EQ(ShortIds(Pick({":20"})), (Names{"a5", "a4", "a3", "a2", "a1"}));
  EXPECT_EQ(ShortIds(Pick({"4:20"})), (Names{"a2", "a1"}));
  EXPECT_TRUE(ShortIds(Pick({"7:9"})).empty());
}

TEST_F(RunSelectionTest, RangeEndsTooLargeForANumberArePastTheList) {
  AddFiveRuns();
  EXPECT_EQ(ShortIds(Pick({":4666666666666666666666666662"})),
            (Names{"a5", "a4", "a3", "a2", "a1"}));
  EXPECT_EQ(ShortIds(Pick({"4:99999999999999999999"})), (Names{"a2", "a1"}));
  EXPECT_TRUE(ShortIds(Pick({"99999999999999999999:"})).empty());
}

TEST_F(RunSelectionTest, UniqueIdPrefixSelectsItsRun) {
  AddFiveRuns();
  EXPECT_EQ(ShortIds(Pick({"a3"})), (Names{"a3"}));
  EXPECT_EQ(ShortIds(Pick({Id("a2")})), (Names{"a2"}));
}

TEST_F(RunSelectionTest, AmbiguousPrefixIsBadInputListingTheMatches) {
  AddFiveRuns();
  auto runs = Pick({"a"});
  ASSERT_FALSE(runs.ok());
  EXPECT_EQ(runs.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(runs.status().message(),
            "'a' matches 5 runs: a5000000, a4000000, a3000000, a2000000, a1000000");
  EXPECT_EQ(ReportError(err_, runs.status()), 2);
  EXPECT_EQ(err_.str(), "salvo: error: " + runs.status().message() + "\n");
}

TEST_F(RunSelectionTest, UnknownRunIsNotFoundWithAHint) {
  AddFiveRuns();
  auto runs = Pick({"ff"});
  ASSERT_FALSE(runs.ok());
  EXPECT_EQ(runs.status().code(), Code::kNotFound);
  EXPECT_EQ(ReportError(err_, runs.status()), 2);
  EXPECT_EQ(err_.str(),
            "salvo: error: could not find a run matching 'ff'\n"
            "Try 'salvo runs' for a list of runs.\n");
}

TEST_F(RunSelectionTest, NumberPastTheListIsReadAsAnIdPrefix) {
  AddFiveRuns();
  Add(Trial(Id("77"), 0, XFlags(7)));
  EXPECT_EQ(ShortIds(Pick({"77"})), (Names{"77"}));
  EXPECT_EQ(ShortIds(Pick({"6"})), (Names{"77"}));  // the oldest of six
  EXPECT_EQ(Pick({"8"}).status().code(), Code::kNotFound);
}

TEST_F(RunSelectionTest, OperationFilterMatchesWholeNameGlobOrOptimizerPart) {
  EXPECT_TRUE(OperationMatches("train.py+gp", "train.py+gp"));
  EXPECT_TRUE(OperationMatches("gp", "train.py+gp"));
  EXPECT_TRUE(OperationMatches("train*", "train.py+gp"));
  EXPECT_TRUE(OperationMatches("train.py", "train.py"));
  EXPECT_TRUE(OperationMatches("^train", "train.py"));
  EXPECT_TRUE(OperationMatches("py\\+$", "train.py+"));
  EXPECT_FALSE(OperationMatches("train.py", "train.py+gp"));
  EXPECT_FALSE(OperationMatches("random", "train.py+gp"));
  EXPECT_FALSE(OperationMatches("gp", "train.py"));
  EXPECT_FALSE(OperationMatches("train.py+gp", "train.py+"));
}

TEST_F(RunSelectionTest, StatusFilterTakesAnyIncludedAndNoExcluded) {
  StatusFilter completed_or_error{{"completed", "error"}, {}};
  EXPECT_TRUE(StatusMatches(RunStatus::kError, completed_or_error));
  EXPECT_FALSE(StatusMatches(RunStatus::kRunning, completed_or_error));
  StatusFilter not_completed{{}, {"completed"}};
  EXPECT_TRUE(StatusMatches(RunStatus::kTerminated, not_completed));
  EXPECT_FALSE(StatusMatches(RunStatus::kCompleted, not_completed));
}

TEST_F(RunSelectionTest, IndexesCountInTheFilteredList) {
  Add(Batch(Id("b0"), 10, "gp"));
  Add(Trial(Id("t0"), 11, XFlags(1), Id("b0"), 0));
  RunRecord failed = Trial(Id("t1"), 12, XFlags(2), Id("b0"), 1);
  failed.status = RunStatus::kError;
  Add(failed);
  Add(Trial(Id("t2"), 13, XFlags(3), Id("b0"), 2));

  RunSelection sel;
  sel.operations = {"train.py"};
  sel.runs = {"2"};
  EXPECT_EQ(ShortIds(SelectRuns(Context(), sel)), (Names{"t1"}));
  sel.status.include = {"completed"};
  EXPECT_EQ(ShortIds(SelectRuns(Context(), sel)), (Names{"t0"}));
  sel = RunSelection{};
  sel.labels = {"x=3"};
  EXPECT_EQ(ShortIds(SelectRuns(Context(), sel)), (Names{"t2"}));
}

TEST_F(RunSelectionTest, OneRunIsTheNewestWhenNoneIsNamed) {
  AddFiveRuns();
  auto run = SelectOneRun(Context(), "");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->record.id, Id("a5"));
  EXPECT_EQ(SelectOneRun(Context(), "1:2").status().code(), Code::kInvalidArgument);
}

TEST_F(RunSelectionTest, LabelOfABatchIsItsOptimizerFlags) {
  RunRecord gp = Batch(Id("b0"), 0, "gp");
  gp.optimizer_flags = {{"acq-func", FlagValue::String("gp_hedge")},
                        {"kappa", FlagValue::Float(1.96)}};
  EXPECT_EQ(DisplayLabel(gp), "acq-func=gp_hedge kappa=1.96");
  EXPECT_EQ(DisplayLabel(Batch(Id("b1"), 0, "+")), "");
  RunRecord trial = Trial(Id("t0"), 0, {{"x", FlagValue::Int(-1)}});
  trial.label.clear();
  EXPECT_EQ(DisplayLabel(trial), "x=-1");
  trial.label = "best so far";
  EXPECT_EQ(DisplayLabel(trial), "best so far");
}

TEST_F(RunSelectionTest, AttributesOfARun) {
  RunRecord r = Trial(Id("c1"), 0, XFlags(0.5), Id("b0"), 3);
  RunView run{r, RunStatus::kCompleted, 1};
  auto attr = [&](std::string_view name) {
    auto cell = RunAttribute(run, name, home_, 0);
    EXPECT_TRUE(cell.ok()) << name;
    return cell.ok() ? FormatCell(*cell) : "";
  };
  EXPECT_EQ(attr("short_id"), "c1000000");
  EXPECT_EQ(attr("status"), "completed");
  EXPECT_EQ(attr("time"), "0:00:02");
  EXPECT_EQ(attr("exit_code"), "0");
  EXPECT_EQ(attr("trial_index"), "3");
  EXPECT_EQ(attr("flags"), "noise=0.1 x=0.5");
  EXPECT_EQ(attr("run_dir"), home_.run_dir(Id("c1")));
  EXPECT_EQ(attr("max_trials"), "");

  auto bad = RunAttribute(run, "max_trial", home_, 0);
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "no such run attribute 'max_trial' (did you mean 'max_trials'?)");
}

}  // namespace
}  // namespace salvo
