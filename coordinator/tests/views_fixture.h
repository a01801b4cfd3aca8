#pragma once
// A memory store, a temporary $SALVO_HOME and string streams for the read-side command
// tests (runs, compare, select, cat). Times print in UTC; a run's shown status is its
// stored one unless a test says otherwise.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/store/run_store.h"
#include "coordinator/run_selection.h"

namespace salvo::testing {

// A 32-hex id that starts with `prefix`.
inline std::string Id(const std::string& prefix) {
  return prefix + std::string(32 - prefix.size(), '0');
}

inline constexpr int64_t kSecond = 1000000;
// 2020-01-14 09:38:13 UTC.
inline constexpr int64_t kBaseUs = 1578994693 * kSecond;

class ViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
    home_.dir = (std::filesystem::temp_directory_path() /
                 ("salvo-views-" + std::to_string(getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                    .string();
    std::filesystem::create_directories(home_.runs_dir());
  }
  void TearDown() override { std::filesystem::remove_all(home_.dir); }

  // A completed trial created `offset_s` seconds after kBaseUs.
  static RunRecord Trial(const std::string& id, int64_t offset_s, FlagMap flags,
                         const std::string& batch_id = "", int64_t index = -1) {
    RunRecord r;
    r.id = id;
    r.kind = batch_id.empty() ? RunKind::kRun : RunKind::kTrial;
    r.batch_id = batch_id;
    r.operation = r.op_name = "train.py";
    r.flags = std::move(flags);
    r.label = FlagLabel(r.flags);
    r.status = RunStatus::kCompleted;
    r.created_us = r.started_us = kBaseUs + offset_s * kSecond;
    r.stopped_us = r.started_us + 2 * kSecond;
    r.exit_code = 0;
    r.attempt = 1;
    r.trial_index = index;
    return r;
  }

  // A completed batch of `optimizer` ("+" for a grid).
  static RunRecord Batch(const std::string& id, int64_t offset_s,
                         const std::string& optimizer) {
    RunRecord r = Trial(id, offset_s, {});
    r.kind = RunKind::kBatch;
    r.operation = "train.py+" + (optimizer == "+" ? "" : optimizer);
    r.optimizer = optimizer;
    r.label.clear();
    r.exit_code.reset();
    r.attempt = 0;
    return r;
  }

  void Add(const RunRecord& r) { ASSERT_TRUE(store_->Put(r).ok()); }
  void AddLoss(const std::string& id, double loss, int64_t step = 0) {
    ASSERT_TRUE(store_->AppendScalars(id, {{"loss", step, loss}}).ok());
  }

  ViewContext Context() {
    return ViewContext{*store_,
                       home_,
                       out_,
                       err_,
                       in_,
                       kBaseUs + 3600 * kSecond,
                       [](const RunRecord& r) { return r.status; }};
  }

  std::unique_ptr<RunStore> store_ = MakeMemoryStore();
  Home home_;
  std::ostringstream out_, err_;
  std::istringstream in_;
};

inline FlagMap XFlags(double x, double noise = 0.1) {
  return {{"noise", FlagValue::Float(noise)}, {"x", FlagValue::Float(x)}};
}

}  // namespace salvo::testing
