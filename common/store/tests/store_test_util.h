#pragma once
// Helpers shared by the store tests: a temporary folder, a record with every field
// set, and a field-by-field comparison that treats NaN flag values as equal.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>

#include "common/core/run_record.h"
#include "common/core/status.h"

namespace salvo::testing_util {

inline ::testing::AssertionResult IsOk(const Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
}

template <class T>
::testing::AssertionResult IsOk(const Result<T>& result) {
  return IsOk(result.status());
}

// A fresh folder under the test temporary folder, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "salvo-store-test-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline FlagFunction Uniform(double low, double high, std::string text) {
  FlagFunction fn;
  fn.text = std::move(text);
  fn.args = {FlagValue::Float(low), FlagValue::Float(high)};
  return fn;
}

// A batch record with every field away from its default, and flags of every kind.
inline RunRecord FullRecord(const std::string& id) {
  RunRecord r;
  r.id = id;
  r.kind = RunKind::kBatch;
  r.batch_id = "b0b0b0b0";
  r.operation = "train.py+gp";
  r.op_name = "train.py";
  FlagFunction log_uniform{"loguniform",
                           {FlagValue::Float(1e-5), FlagValue::Float(0.1)},
                           "loguniform[1e-5:1e-1]"};
  r.flags = {
      {"none", FlagValue::Null()},
      {"yes", FlagValue::Bool(true)},
      {"count", FlagValue::Int(-9007199254740993)},
      {"one", FlagValue::Float(1.0)},
      {"tiny", FlagValue::Float(1e-300)},
      {"not_a_number", FlagValue::Float(std::numeric_limits<double>::quiet_NaN())},
      {"up", FlagValue::Float(std::numeric_limits<double>::infinity())},
      {"down", FlagValue::Float(-std::numeric_limits<double>::infinity())},
      {"name", FlagValue::String("0.1")},
      {"list", FlagValue::List({FlagValue::Int(1), FlagValue::Float(2.0),
                                FlagValue::String("three"), FlagValue::Null()})},
      {"x", FlagValue::Function(Uniform(-2.0, 2.0, "[-2.0:2.0]"))},
      {"lr", FlagValue::Function(log_uniform)},
  };
  r.label = "x=[-2.0:2.0] ünïcode";
  r.status = RunStatus::kPreempted;
  r.reason = "preempted by the cluster";
  r.created_us = 1700000000000001;
  r.started_us = 1700000000000002;
  r.stopped_us = 1700000000000003;
  r.exit_code = -9;
  r.attempt = 3;
  r.trial_index = 41;
  r.runner_pid = 4242;
  r.host = "vm";
  r.run_dir = "/home/u/.salvo/runs/" + id;
  r.optimizer = "gp";
  r.optimizer_flags = {{"random-starts", FlagValue::Int(3)},
                       {"kappa", FlagValue::Float(1.96)},
                       {"acq-func", FlagValue::String("gp_hedge")}};
  r.objective = "accuracy";
  r.maximize = true;
  r.max_trials = 20;
  r.seed = 18446744073709551615ull;
  r.trials_created = 7;
  r.random_trials = 3;
  r.guided_trials = 4;
  r.duplicates_replaced = 1;
  r.parallel = 2;
  r.fail_on_trial_error = true;
  r.source_dir = "/home/u/.salvo/sources/b0b0";
  r.script = "train.py";
  r.command = {"python", "-u", "train.py", "${x}"};
  r.python = "/usr/bin/python3";
  r.op_file = "salvo.yml";
  r.first_error = "exit status 1";
  r.notes = {"objective 'loss' missing in trial 2", "second note"};
  return r;
}

// Structural equality of flag values, with NaN equal to NaN.
inline bool SameFlag(const FlagValue& a, const FlagValue& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case FlagValue::Kind::kNull:
      return true;
    case FlagValue::Kind::kBool:
      return std::get<bool>(a.v) == std::get<bool>(b.v);
    case FlagValue::Kind::kInt:
      return std::get<int64_t>(a.v) == std::get<int64_t>(b.v);
    case FlagValue::Kind::kFloat: {
      double x = std::get<double>(a.v), y = std::get<double>(b.v);
      return (std::isnan(x) && std::isnan(y)) || x == y;
    }
    case FlagValue::Kind::kString:
      return a.str() == b.str();
    case FlagValue::Kind::kList: {
      if (a.list().size() != b.list().size()) return false;
      for (size_t i = 0; i < a.list().size(); ++i) {
        if (!SameFlag(a.list()[i], b.list()[i])) return false;
      }
      return true;
    }
    case FlagValue::Kind::kFunction: {
      const FlagFunction& f = a.function();
      const FlagFunction& g = b.function();
      return f.name == g.name && f.text == g.text &&
             SameFlag(FlagValue::List(f.args), FlagValue::List(g.args));
    }
  }
  return false;
}

inline void ExpectSameFlags(const FlagMap& a, const FlagMap& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, value] : a) {
    auto it = b.find(name);
    ASSERT_NE(it, b.end()) << name;
    EXPECT_TRUE(SameFlag(value, it->second)) << "flag " << name;
  }
}

inline void ExpectSameRecord(const RunRecord& a, const RunRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.batch_id, b.batch_id);
  EXPECT_EQ(a.operation, b.operation);
  EXPECT_EQ(a.op_name, b.op_name);
  ExpectSameFlags(a.flags, b.flags);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.created_us, b.created_us);
  EXPECT_EQ(a.started_us, b.started_us);
  EXPECT_EQ(a.stopped_us, b.stopped_us);
  EXPECT_EQ(a.exit_code, b.exit_code);
  EXPECT_EQ(a.attempt, b.attempt);
  EXPECT_EQ(a.trial_index, b.trial_index);
  EXPECT_EQ(a.runner_pid, b.runner_pid);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.run_dir, b.run_dir);
  EXPECT_EQ(a.optimizer, b.optimizer);
  ExpectSameFlags(a.optimizer_flags, b.optimizer_flags);
  EXPECT_EQ(a.objective, b.objective);
  EXPECT_EQ(a.maximize, b.maximize);
  EXPECT_EQ(a.max_trials, b.max_trials);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.trials_created, b.trials_created);
  EXPECT_EQ(a.random_trials, b.random_trials);
  EXPECT_EQ(a.guided_trials, b.guided_trials);
  EXPECT_EQ(a.duplicates_replaced, b.duplicates_replaced);
  EXPECT_EQ(a.parallel, b.parallel);
  EXPECT_EQ(a.fail_on_trial_error, b.fail_on_trial_error);
  EXPECT_EQ(a.source_dir, b.source_dir);
  EXPECT_EQ(a.script, b.script);
  EXPECT_EQ(a.command, b.command);
  EXPECT_EQ(a.python, b.python);
  EXPECT_EQ(a.op_file, b.op_file);
  EXPECT_EQ(a.first_error, b.first_error);
  EXPECT_EQ(a.notes, b.notes);
}

}  // namespace salvo::testing_util
