#include <gtest/gtest.h>

#include "coordinator/run_selection.h"
#include "coordinator/tests/views_fixture.h"

namespace salvo {
namespace {

using testing::Id;
using testing::XFlags;

class SelectTest : public testing::ViewsTest {
 protected:
  // A gp batch with three trials, the middle one failed, then a newer grid batch with
  // one trial.
  void AddBatches() {
    Add(Batch(Id("9b"), 0, "gp"));
    const double losses[] = {0.3, 0, -0.2};
    for (int i = 0; i < 3; ++i) {
      std::string id = Id("9" + std::to_string(i));
      RunRecord t = Trial(id, 1 + i, XFlags(i), Id("9b"), i);
      if (i == 1) t.status = RunStatus::kError;
      Add(t);
      if (i != 1) AddLoss(id, losses[i]);
    }
    Add(Batch(Id("8b"), 10, "+"));
    Add(Trial(Id("80"), 11, XFlags(5), Id("8b"), 0));
    AddLoss(Id("80"), 0.1);
  }
};

TEST_F(SelectTest, PrintsTheFullIdOfTheNewestRun) {
  AddBatches();
  EXPECT_EQ(Select(Context(), SelectOptions{}), 0);
  EXPECT_EQ(out_.str(), Id("80") + "\n");
}

TEST_F(SelectTest, OperationFilterPicksTheBatchByItsName) {
  AddBatches();
  SelectOptions opt;
  opt.sel.operations = {"train.py+gp"};
  EXPECT_EQ(Select(Context(), opt), 0);
  EXPECT_EQ(out_.str(), Id("9b") + "\n");

  out_.str("");
  opt.sel.operations = {"gp"};
  opt.short_id = true;
  EXPECT_EQ(Select(Context(), opt), 0);
  EXPECT_EQ(out_.str(), "9b000000\n");
}

TEST_F(SelectTest, PrintsAPathOrAnAttributeInsteadOfTheId) {
  AddBatches();
  SelectOptions opt;
  opt.sel.runs = {"9b"};
  opt.path = true;
  EXPECT_EQ(Select(Context(), opt), 0);
  EXPECT_EQ(out_.str(), home_.run_dir(Id("9b")) + "\n");

  out_.str("");
  opt.path = false;
  opt.attr = "operation";
  EXPECT_EQ(Select(Context(), opt), 0);
  EXPECT_EQ(out_.str(), "train.py+gp\n");

  opt.attr = "max_trial";
  EXPECT_EQ(Select(Context(), opt), 2);
  EXPECT_EQ(
      err_.str(),
      "salvo: error: no such run attribute 'max_trial' (did you mean 'max_trials'?)\n");
}

TEST_F(SelectTest, MinAndMaxPickByValueAndRunsWithoutOneNeverWin) {
  AddBatches();
  SelectOptions opt;
  opt.sel.operations = {"train.py"};
  opt.short_id = true;
  opt.min_col = "loss";
  EXPECT_EQ(Select(Context(), opt), 0);
  EXPECT_EQ(out_.str(), "92000000\n");

  out_.str("");
  opt.min_col.reset();
  opt.max_col = "loss";
  EXPECT_EQ(Select(Context(), opt), 0);
  EXPECT_EQ(out_.str(), "90000000\n");

  out_.str("");
  opt.max_col = "=x";
  EXPECT_EQ(Select(Context(), opt), 0);
  EXPECT_EQ(out_.str(), "80000000\n");
}

TEST_F(SelectTest, MinOfAColumnNoRunHasIsBadInput) {
  AddBatches();
  SelectOptions opt;
  opt.min_col = "los";
  EXPECT_EQ(Select(Context(), opt), 2);
  EXPECT_EQ(err_.str(),
            "salvo: error: no scalar or flag 'los' in the compared runs "
            "(did you mean 'loss'?)\n");
}

TEST_F(SelectTest, AllPrintsEveryErroredTrialOnePerLine) {
  AddBatches();
  RunRecord failed = Trial(Id("81"), 12, XFlags(6), Id("8b"), 1);
  failed.status = RunStatus::kError;
  Add(failed);
  SelectOptions opt;
  opt.sel.status.include = {"error"};
  opt.sel.all = true;
  EXPECT_EQ(Select(Context(), opt), 0);
  EXPECT_EQ(out_.str(), Id("81") + "\n" + Id("91") + "\n");
}

TEST_F(SelectTest, SeveralRunArgumentsPrintEachOne) {
  AddBatches();
  SelectOptions opt;
  opt.sel.runs = {"1", "3"};
  opt.short_id = true;
  EXPECT_EQ(Select(Context(), opt), 0);
  EXPECT_EQ(out_.str(), "80000000\n92000000\n");
}

TEST_F(SelectTest, NoMatchIsBadInputSayingWhatWasAskedFor) {
  AddBatches();
  SelectOptions opt;
  opt.sel.operations = {"train.py+random"};
  opt.sel.status.include = {"completed"};
  EXPECT_EQ(Select(Context(), opt), 2);
  EXPECT_EQ(err_.str(),
            "salvo: error: no run matches operation 'train.py+random' and status "
            "'completed'\n"
            "Try 'salvo runs' for a list of runs.\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(SelectTest, NoRunsAtAllIsBadInput) {
  EXPECT_EQ(Select(Context(), SelectOptions{}), 2);
  EXPECT_EQ(err_.str(),
            "salvo: error: there are no runs\nTry 'salvo runs' for a list of runs.\n");
}

}  // namespace
}  // namespace salvo
