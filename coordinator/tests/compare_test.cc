#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "coordinator/run_selection.h"
#include "coordinator/tests/views_fixture.h"

namespace salvo {
namespace {

using testing::Id;
using testing::XFlags;

class CompareTest : public testing::ViewsTest {
 protected:
  // The walkthrough's second grid: x in {-0.5, 0.5} by noise in {0.1, 0.2}, where
  // x=-0.5 gives the lower loss.
  void AddGrid() {
    Add(Batch(Id("b0"), 0, "+"));
    const double losses[] = {-0.71, -0.7654321, 0.62, 0.58};
    for (int i = 0; i < 4; ++i) {
      double x = i < 2 ? -0.5 : 0.5, noise = i % 2 ? 0.2 : 0.1;
      std::string id = Id("t" + std::to_string(i));
      Add(Trial(id, 1 + i, XFlags(x, noise), Id("b0"), i));
      AddLoss(id, losses[i]);
    }
  }

  // The rows of the table as printed, split into cells on runs of two spaces.
  std::vector<std::vector<std::string>> Cells() {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> row;
      size_t start = 0;
      while (start < line.size()) {
        size_t gap = line.find("  ", start);
        if (gap == std::string::npos) gap = line.size();
        row.push_back(line.substr(start, gap - start));
        start = line.find_first_not_of(' ', gap);
        if (start == std::string::npos) break;
      }
      rows.push_back(row);
    }
    return rows;
  }

  // The column of the printed table under `header`.
  std::vector<std::string> Column(const std::string& header) {
    auto rows = Cells();
    std::vector<std::string> out;
    if (rows.empty()) return out;
    auto at = std::find(rows[0].begin(), rows[0].end(), header) - rows[0].begin();
    for (size_t r = 1; r < rows.size(); ++r) out.push_back(rows[r].at(at));
    return out;
  }

  CompareOptions Table() {
    CompareOptions opt;
    opt.table = true;
    return opt;
  }
};

using Texts = std::vector<std::string>;

TEST_F(CompareTest, ColumnsAreCoreThenFlagsStepAndScalars) {
  AddGrid();
  ASSERT_TRUE(store_->AppendScalars(Id("t3"), {{"acc10", 0, 1}, {"acc2", 0, 2}}).ok());
  auto table = BuildCompareTable(Context(), *SelectRuns(Context(), {}), Table());
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->headers,
            (Texts{"run", "operation", "started", "time", "status", "label", "noise", "x",
                   "step", "acc2", "acc10", "loss"}));
  EXPECT_TRUE(table->warnings.empty());
}

TEST_F(CompareTest, PrintsTrialsNewestFirstWithoutBatches) {
  AddGrid();
  EXPECT_EQ(Compare(Context(), Table()), 0);
  auto rows = Cells();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (Texts{"run", "operation", "started", "time", "status", "label",
                            "noise", "x", "step", "loss"}));
  EXPECT_EQ(rows[1], (Texts{"t3000000", "train.py", "2020-01-14 09:38:17", "0:00:02",
                            "completed", "noise=0.2 x=0.5", "0.2", "0.5", "0", "0.58"}));
  EXPECT_EQ(Column("run"), (Texts{"t3000000", "t2000000", "t1000000", "t0000000"}));
}

TEST_F(CompareTest, IncludesBatchesWhenAsked) {
  AddGrid();
  CompareOptions opt = Table();
  opt.include_batch = true;
  EXPECT_EQ(Compare(Context(), opt), 0);
  EXPECT_EQ(Column("operation").back(), "train.py+");
}

TEST_F(CompareTest, MinSortsAscendingAndTopKeepsTheBest) {
  AddGrid();
  CompareOptions opt = Table();
  opt.min_col = "loss";
  opt.top = 3;
  EXPECT_EQ(Compare(Context(), opt), 0);
  EXPECT_EQ(Column("x"), (Texts{"-0.5", "-0.5", "0.5"}));
  EXPECT_EQ(Column("loss"), (Texts{"-0.765432", "-0.71", "0.58"}));
}

TEST_F(CompareTest, MissingValuesSortLastBothWays) {
  AddGrid();
  Add(Trial(Id("n0"), 50, XFlags(0)));  // newest, never logged a loss
  for (bool descending : {false, true}) {
    out_.str("");
    CompareOptions opt = Table();
    (descending ? opt.max_col : opt.min_col) = "loss";
    EXPECT_EQ(Compare(Context(), opt), 0);
    Texts runs = Column("run");
    ASSERT_EQ(runs.size(), 5u);
    EXPECT_EQ(runs.back(), "n0000000") << descending;
    EXPECT_EQ(runs.front(), descending ? "t2000000" : "t1000000");
  }
}

TEST_F(CompareTest, TableTruncatesFloatsButCsvKeepsRawValues) {
  AddGrid();
  CompareOptions opt = Table();
  opt.csv = "-";
  opt.sel.runs = {"t1"};
  EXPECT_EQ(Compare(Context(), opt), 0);
  EXPECT_EQ(out_.str(),
            "run,operation,started,time,status,label,noise,x,step,loss\r\n"
            "t1000000,train.py,2020-01-14 09:38:15,0:00:02,completed,noise=0.2 x=-0.5,"
            "0.2,-0.5,0,-0.7654321\r\n");
  EXPECT_EQ(err_.str(), "");

  out_.str("");
  opt.csv.reset();
  EXPECT_EQ(Compare(Context(), opt), 0);
  EXPECT_EQ(Column("loss"), (Texts{"-0.765432"}));
}

TEST_F(CompareTest, CsvToAFileSaysHowManyRowsItWrote) {
  AddGrid();
  CompareOptions opt = Table();
  opt.csv = home_.dir + "/out.csv";
  EXPECT_EQ(Compare(Context(), opt), 0);
  EXPECT_EQ(err_.str(), "Wrote 4 row(s) to " + *opt.csv + "\n");
  EXPECT_EQ(out_.str(), "");
  std::ifstream file(*opt.csv);
  std::string header;
  std::getline(file, header);
  EXPECT_EQ(header, "run,operation,started,time,status,label,noise,x,step,loss\r");
}

TEST_F(CompareTest, JsonRowsCarryTypedValues) {
  AddGrid();
  CompareOptions opt;
  opt.json = true;
  opt.max_col = "loss";
  EXPECT_EQ(Compare(Context(), opt), 0);
  auto json = nlohmann::json::parse(out_.str());
  ASSERT_EQ(json.size(), 4u);
  EXPECT_EQ(json[0]["id"], Id("t2"));
  EXPECT_EQ(json[0]["loss"], 0.62);
  EXPECT_EQ(json[0]["x"], 0.5);
  EXPECT_EQ(json[0]["step"], 0);
  EXPECT_EQ(json[0]["status"], "completed");
}

TEST_F(CompareTest, RangePastTheNewestCountsEveryRun) {
  AddGrid();
  CompareOptions opt = Table();
  opt.sel.runs = {":20"};
  EXPECT_EQ(Compare(Context(), opt), 0);
  EXPECT_EQ(Column("run").size(), 4u);
  EXPECT_EQ(err_.str(), "");

  out_.str("");
  opt.sel.runs = {":2"};  // the two newest runs are trials
  EXPECT_EQ(Compare(Context(), opt), 0);
  EXPECT_EQ(Column("run"), (Texts{"t3000000", "t2000000"}));
}

TEST_F(CompareTest, UnknownColumnWarnsWithTheClosestNameAndKnownOnesFill) {
  for (int i = 0; i < 2; ++i) {
    std::string id = Id("v" + std::to_string(i));
    Add(Trial(id, i, {{"lr", FlagValue::Float(0.01 * (i + 1))}}));
    ASSERT_TRUE(store_
                    ->AppendScalars(
                        id, {{"val_accuracy", 3, 0.9 + i * 0.01}, {"val_loss", 3, 0.3}})
                    .ok());
  }
  CompareOptions opt = Table();
  opt.strict_columns = {"=lr,val_acc"};
  EXPECT_EQ(Compare(Context(), opt), 0);
  EXPECT_EQ(err_.str(),
            "salvo: warning: no scalar or flag 'val_acc' in the compared runs "
            "(did you mean 'val_accuracy'?)\n");
  EXPECT_EQ(Cells()[0], (Texts{"run", "operation", "started", "time", "status", "label",
                               "lr", "val_acc"}));
  EXPECT_EQ(Column("lr"), (Texts{"0.02", "0.01"}));
}

TEST_F(CompareTest, ExtraColumnsAddQualifiedScalarsAndMergeByHeader) {
  AddGrid();
  ASSERT_TRUE(store_->AppendScalars(Id("t3"), {{"loss", 1, 0.4}, {"loss", 2, 0.5}}).ok());
  CompareOptions opt = Table();
  opt.sel.runs = {"t3"};
  opt.columns = {"min loss step as best", "=x", ".exit_code"};
  EXPECT_EQ(Compare(Context(), opt), 0);
  EXPECT_EQ(Cells()[0], (Texts{"run", "operation", "started", "time", "status", "label",
                               "noise", "x", "step", "loss", "best", "exit_code"}));
  EXPECT_EQ(Column("best"), (Texts{"1"}));
  EXPECT_EQ(Column("step"), (Texts{"2"}));
  EXPECT_EQ(Column("loss"), (Texts{"0.5"}));
}

TEST_F(CompareTest, StepFollowsTheBatchObjective) {
  RunRecord batch = Batch(Id("b0"), 0, "random");
  batch.objective = "acc";
  Add(batch);
  Add(Trial(Id("t0"), 1, XFlags(0), Id("b0"), 0));
  ASSERT_TRUE(store_->AppendScalars(Id("t0"), {{"loss", 9, 0.1}, {"acc", 4, 0.8}}).ok());
  Add(Trial(Id("s0"), 2, XFlags(1)));
  ASSERT_TRUE(store_->AppendScalars(Id("s0"), {{"b", 7, 1}, {"a", 5, 1}}).ok());

  EXPECT_EQ(Compare(Context(), Table()), 0);
  EXPECT_EQ(Column("step"), (Texts{"5", "4"}));
}

TEST_F(CompareTest, UnreadableColumnSpecIsBadInput) {
  AddGrid();
  CompareOptions opt = Table();
  opt.columns = {"loss as"};
  EXPECT_EQ(Compare(Context(), opt), 2);
  EXPECT_EQ(err_.str(), "salvo: error: cannot read column spec 'loss as'\n");
}

}  // namespace
}  // namespace salvo
