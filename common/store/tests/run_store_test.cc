// The RunStore contract, run against the RocksDB store and the in-memory store alike.

#include "common/store/run_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "common/store/tests/store_test_util.h"

namespace salvo {
namespace {

using testing_util::ExpectSameRecord;
using testing_util::FullRecord;
using testing_util::IsOk;
using testing_util::TempDir;

struct StoreKind {
  std::string name;
  std::function<std::unique_ptr<RunStore>(const std::string& dir)> open;
};

void PrintTo(const StoreKind& kind, std::ostream* os) { *os << kind.name; }

std::unique_ptr<RunStore> OpenRocks(const std::string& dir) {
  Result<std::unique_ptr<RunStore>> store = OpenRocksStore(dir, StoreMode::kPrimary);
  EXPECT_TRUE(IsOk(store));
  return store.ok() ? std::move(store).value() : nullptr;
}

class RunStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(tmp_.Sub("store"));
    ASSERT_NE(store_, nullptr);
  }

  RunRecord Trial(const std::string& id, RunStatus status = RunStatus::kPending) {
    RunRecord r;
    r.id = id;
    r.kind = RunKind::kTrial;
    r.status = status;
    r.flags = {{"x", FlagValue::Float(0.5)}};
    return r;
  }

  std::vector<std::string> ListedIds() {
    Result<std::vector<RunRecord>> runs = store_->List();
    EXPECT_TRUE(IsOk(runs));
    std::vector<std::string> ids;
    if (runs.ok()) {
      for (const RunRecord& r : *runs) ids.push_back(r.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::vector<double> ScalarValues(const std::string& id) {
    Result<std::vector<ScalarPoint>> points = store_->Scalars(id);
    EXPECT_TRUE(IsOk(points));
    std::vector<double> values;
    if (points.ok()) {
      for (const ScalarPoint& p : *points) values.push_back(p.value);
    }
    return values;
  }

  TempDir tmp_;
  std::unique_ptr<RunStore> store_;
};

TEST_P(RunStoreTest, GetReturnsTheRecordPut) {
  RunRecord record = FullRecord("aaaa0001");
  ASSERT_TRUE(IsOk(store_->Put(record)));

  Result<RunRecord> got = store_->Get("aaaa0001");
  ASSERT_TRUE(IsOk(got));
  ExpectSameRecord(record, *got);
}

TEST_P(RunStoreTest, GetOfAnUnknownRunIsNotFound) {
  ASSERT_TRUE(IsOk(store_->Put(Trial("aaaa0001"))));
  EXPECT_EQ(store_->Get("aaaa0002").status().code(), Code::kNotFound);
}

TEST_P(RunStoreTest, PutReplacesTheEarlierRecord) {
  ASSERT_TRUE(IsOk(store_->Put(Trial("t1", RunStatus::kRunning))));
  ASSERT_TRUE(IsOk(store_->Put(Trial("t1", RunStatus::kCompleted))));

  EXPECT_EQ(store_->Get("t1")->status, RunStatus::kCompleted);
  EXPECT_EQ(ListedIds(), std::vector<std::string>({"t1"}));
}

TEST_P(RunStoreTest, ListReturnsEveryRun) {
  EXPECT_TRUE(ListedIds().empty());
  ASSERT_TRUE(IsOk(store_->Put(Trial("t2"))));
  ASSERT_TRUE(IsOk(store_->Put(Trial("t1"))));
  ASSERT_TRUE(IsOk(store_->Put(FullRecord("b1"))));

  EXPECT_EQ(ListedIds(), std::vector<std::string>({"b1", "t1", "t2"}));
}

TEST_P(RunStoreTest, PutManyWritesEveryRecord) {
  ASSERT_TRUE(IsOk(store_->PutMany({FullRecord("b1"), Trial("t1"), Trial("t2")})));

  EXPECT_EQ(ListedIds(), std::vector<std::string>({"b1", "t1", "t2"}));
  ExpectSameRecord(FullRecord("b1"), *store_->Get("b1"));
}

TEST_P(RunStoreTest, PutManyWithOneBadIdWritesNothing) {
  Status put = store_->PutMany({Trial("t1"), Trial("bad/id"), Trial("t3")});

  EXPECT_EQ(put.code(), Code::kInvalidArgument);
  EXPECT_TRUE(ListedIds().empty());
}

TEST_P(RunStoreTest, RefusesEmptyIdsAndIdsWithSlashes) {
  EXPECT_EQ(store_->Put(Trial("")).code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->Put(Trial("a/b")).code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->AppendScalars("a/b", {{"loss", 0, 1.0}}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->Delete({"a/b"}).code(), Code::kInvalidArgument);
}

TEST_P(RunStoreTest, DeleteRemovesRunsWithTheirScalars) {
  ASSERT_TRUE(IsOk(store_->PutMany({Trial("t1"), Trial("t2"), Trial("t3")})));
  ASSERT_TRUE(IsOk(store_->AppendScalars("t1", {{"loss", 0, 1.0}, {"loss", 1, 0.5}})));
  ASSERT_TRUE(IsOk(store_->AppendScalars("t2", {{"loss", 0, 2.0}})));

  ASSERT_TRUE(IsOk(store_->Delete({"t1", "t3"})));

  EXPECT_EQ(ListedIds(), std::vector<std::string>({"t2"}));
  EXPECT_EQ(store_->Get("t1").status().code(), Code::kNotFound);
  EXPECT_TRUE(ScalarValues("t1").empty());
  EXPECT_EQ(ScalarValues("t2"), std::vector<double>({2.0}));
}

TEST_P(RunStoreTest, DeleteLeavesRunsWhoseIdExtendsTheDeletedOne) {
  ASSERT_TRUE(IsOk(store_->PutMany({Trial("ab"), Trial("abc")})));
  ASSERT_TRUE(IsOk(store_->AppendScalars("ab", {{"loss", 0, 1.0}})));
  ASSERT_TRUE(IsOk(store_->AppendScalars("abc", {{"loss", 0, 3.0}})));

  ASSERT_TRUE(IsOk(store_->Delete({"ab"})));

  EXPECT_EQ(ListedIds(), std::vector<std::string>({"abc"}));
  EXPECT_EQ(ScalarValues("abc"), std::vector<double>({3.0}));
}

TEST_P(RunStoreTest, DeleteOfAnUnknownRunIsNotAnError) {
  ASSERT_TRUE(IsOk(store_->Put(Trial("t1"))));
  EXPECT_TRUE(IsOk(store_->Delete({"nope"})));
  EXPECT_EQ(ListedIds(), std::vector<std::string>({"t1"}));
}

TEST_P(RunStoreTest, ScalarsKeepTheOrderOfAppendingAcrossCalls) {
  ASSERT_TRUE(IsOk(store_->AppendScalars("t1", {{"loss", 0, 3.0}, {"acc", 0, 0.1}})));
  ASSERT_TRUE(IsOk(store_->AppendScalars("t2", {{"loss", 0, 9.0}})));
  ASSERT_TRUE(IsOk(store_->AppendScalars("t1", {{"loss", 1, 2.0}})));
  ASSERT_TRUE(IsOk(store_->AppendScalars("t1", {})));
  ASSERT_TRUE(IsOk(store_->AppendScalars("t1", {{"loss", 2, 1.0}, {"acc", 2, 0.7}})));

  Result<std::vector<ScalarPoint>> points = store_->Scalars("t1");
  ASSERT_TRUE(IsOk(points));
  ASSERT_EQ(points->size(), 5u);
  std::vector<std::string> tags;
  std::vector<int64_t> steps;
  for (const ScalarPoint& p : *points) {
    tags.push_back(p.tag);
    steps.push_back(p.step);
  }
  EXPECT_EQ(tags, std::vector<std::string>({"loss", "acc", "loss", "loss", "acc"}));
  EXPECT_EQ(steps, std::vector<int64_t>({0, 0, 1, 2, 2}));
  EXPECT_EQ(ScalarValues("t1"), std::vector<double>({3.0, 0.1, 2.0, 1.0, 0.7}));
}

TEST_P(RunStoreTest, ScalarsKeepNanInfinitiesAndNegativeSteps) {
  double inf = std::numeric_limits<double>::infinity();
  ASSERT_TRUE(IsOk(store_->AppendScalars(
      "t1", {{"loss", -1, std::nan("")}, {"loss", 7, -inf}, {"", 1ll << 40, inf}})));

  Result<std::vector<ScalarPoint>> points = store_->Scalars("t1");
  ASSERT_TRUE(IsOk(points));
  ASSERT_EQ(points->size(), 3u);
  EXPECT_EQ((*points)[0].step, -1);
  EXPECT_TRUE(std::isnan((*points)[0].value));
  EXPECT_EQ((*points)[1].value, -inf);
  EXPECT_EQ((*points)[2].tag, "");
  EXPECT_EQ((*points)[2].step, 1ll << 40);
  EXPECT_EQ((*points)[2].value, inf);
}

TEST_P(RunStoreTest, ScalarsOfARunWithoutAnyAreEmpty) {
  ASSERT_TRUE(IsOk(store_->Put(Trial("t1"))));
  EXPECT_TRUE(ScalarValues("t1").empty());
  EXPECT_TRUE(ScalarValues("never-seen").empty());
}

TEST_P(RunStoreTest, AppendingAfterDeleteStartsAFreshSeries) {
  ASSERT_TRUE(IsOk(store_->AppendScalars("t1", {{"loss", 0, 1.0}, {"loss", 1, 2.0}})));
  ASSERT_TRUE(IsOk(store_->Delete({"t1"})));
  ASSERT_TRUE(IsOk(store_->AppendScalars("t1", {{"loss", 0, 5.0}})));

  EXPECT_EQ(ScalarValues("t1"), std::vector<double>({5.0}));
}

TEST_P(RunStoreTest, KeepsAppendOrderPerThreadWhenThreadsAppendAtOnce) {
  constexpr int kThreads = 4, kPoints = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPoints; ++i) {
        EXPECT_TRUE(
            IsOk(store_->AppendScalars("t1", {{"w" + std::to_string(t), i, 1.0 * i}})));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  Result<std::vector<ScalarPoint>> points = store_->Scalars("t1");
  ASSERT_TRUE(IsOk(points));
  ASSERT_EQ(points->size(), size_t{kThreads * kPoints});
  std::vector<int64_t> next(kThreads, 0);
  for (const ScalarPoint& p : *points) {
    int t = p.tag[1] - '0';
    EXPECT_EQ(p.step, next[t]++) << p.tag;
  }
}

TEST_P(RunStoreTest, MetaValuesRoundTrip) {
  EXPECT_EQ(store_->GetMeta("format").status().code(), Code::kNotFound);
  ASSERT_TRUE(IsOk(store_->PutMeta("format", "1")));
  ASSERT_TRUE(IsOk(store_->PutMeta("format", std::string("2\0x", 3))));

  Result<std::string> value = store_->GetMeta("format");
  ASSERT_TRUE(IsOk(value));
  EXPECT_EQ(*value, std::string("2\0x", 3));
  EXPECT_EQ(store_->PutMeta("", "v").code(), Code::kInvalidArgument);
}

TEST_P(RunStoreTest, MetaKeysDoNotCollideWithRuns) {
  ASSERT_TRUE(IsOk(store_->PutMeta("t1", "meta")));
  EXPECT_EQ(store_->Get("t1").status().code(), Code::kNotFound);
  EXPECT_TRUE(ListedIds().empty());
}

TEST_P(RunStoreTest, APrimaryIsWritableAndSyncsAndRefreshes) {
  EXPECT_FALSE(store_->read_only());
  ASSERT_TRUE(IsOk(store_->AppendScalars("t1", {{"loss", 0, 1.0}})));
  EXPECT_TRUE(IsOk(store_->Sync()));
  EXPECT_TRUE(IsOk(store_->Refresh()));
  EXPECT_EQ(ScalarValues("t1"), std::vector<double>({1.0}));
}

INSTANTIATE_TEST_SUITE_P(
    BothStores, RunStoreTest,
    ::testing::Values(StoreKind{"Rocks", OpenRocks},
                      StoreKind{"Memory",
                                [](const std::string&) { return MakeMemoryStore(); }}),
    [](const ::testing::TestParamInfo<StoreKind>& info) { return info.param.name; });

}  // namespace
}  // namespace salvo
