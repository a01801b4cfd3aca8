#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "common/store/run_store.h"
#include "common/store/tests/store_test_util.h"

namespace salvo {
namespace {

using testing_util::ExpectSameRecord;
using testing_util::FullRecord;
using testing_util::IsOk;

RunRecord RoundTrip(const RunRecord& record) {
  Result<RunRecord> back = RecordFromJson(RecordToJson(record));
  EXPECT_TRUE(IsOk(back));
  return back.ok() ? *back : RunRecord();
}

TEST(RecordJson, RoundTripsEveryFieldOfAFullRecord) {
  RunRecord record = FullRecord("0123456789abcdef0123456789abcdef");
  ExpectSameRecord(record, RoundTrip(record));
}

TEST(RecordJson, RoundTripsADefaultRecord) {
  RunRecord record;
  record.id = "d";
  ExpectSameRecord(record, RoundTrip(record));
}

TEST(RecordJson, KeepsWholeFloatsApartFromInts) {
  RunRecord record;
  record.flags = {{"f", FlagValue::Float(1.0)}, {"i", FlagValue::Int(1)}};
  std::string json = RecordToJson(record);
  EXPECT_NE(json.find(R"("f":{"f":1.0})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("i":1)"), std::string::npos) << json;

  RunRecord back = RoundTrip(record);
  EXPECT_EQ(back.flags.at("f").kind(), FlagValue::Kind::kFloat);
  EXPECT_EQ(std::get<double>(back.flags.at("f").v), 1.0);
  EXPECT_EQ(back.flags.at("i").kind(), FlagValue::Kind::kInt);
  EXPECT_EQ(std::get<int64_t>(back.flags.at("i").v), 1);
}

TEST(RecordJson, RoundTripsNanAndInfinitiesAsFloats) {
  RunRecord record;
  record.flags = {{"n", FlagValue::Float(std::nan(""))},
                  {"p", FlagValue::Float(std::numeric_limits<double>::infinity())},
                  {"m", FlagValue::Float(-std::numeric_limits<double>::infinity())}};
  RunRecord back = RoundTrip(record);
  EXPECT_TRUE(std::isnan(std::get<double>(back.flags.at("n").v)));
  EXPECT_EQ(std::get<double>(back.flags.at("p").v),
            std::numeric_limits<double>::infinity());
  EXPECT_EQ(std::get<double>(back.flags.at("m").v),
            -std::numeric_limits<double>::infinity());
}

TEST(RecordJson, RoundTripsFloatsAndIntsExactly) {
  RunRecord record;
  record.flags = {{"third", FlagValue::Float(1.0 / 3.0)},
                  {"tenth", FlagValue::Float(0.1)},
                  {"min", FlagValue::Int(std::numeric_limits<int64_t>::min())},
                  {"max", FlagValue::Int(std::numeric_limits<int64_t>::max())}};
  RunRecord back = RoundTrip(record);
  EXPECT_EQ(std::get<double>(back.flags.at("third").v), 1.0 / 3.0);
  EXPECT_EQ(std::get<double>(back.flags.at("tenth").v), 0.1);
  EXPECT_EQ(std::get<int64_t>(back.flags.at("min").v),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::get<int64_t>(back.flags.at("max").v),
            std::numeric_limits<int64_t>::max());
}

TEST(RecordJson, StoresAFunctionWithItsTextNameAndArgs) {
  RunRecord record;
  record.flags = {
      {"lr", FlagValue::Function({"loguniform",
                                  {FlagValue::Float(1e-5), FlagValue::Float(0.1)},
                                  "loguniform[1e-5:1e-1]"})}};
  std::string json = RecordToJson(record);
  EXPECT_NE(json.find(R"({"args":[{"f":1e-05},{"f":0.1}],"fn":"loguniform[1e-5:1e-1]",)"
                      R"("name":"loguniform"})"),
            std::string::npos)
      << json;
  ExpectSameRecord(record, RoundTrip(record));
}

TEST(RecordJson, IgnoresFieldsItDoesNotKnow) {
  Result<RunRecord> r = RecordFromJson(
      R"({"id":"abc","status":"running","from_the_future":{"a":[1,2]},"attempt":2})");
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r->id, "abc");
  EXPECT_EQ(r->status, RunStatus::kRunning);
  EXPECT_EQ(r->attempt, 2);
}

TEST(RecordJson, DefaultsFieldsThatAreMissing) {
  Result<RunRecord> r = RecordFromJson(R"({"id":"abc","exit_code":null})");
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r->id, "abc");
  EXPECT_EQ(r->kind, RunKind::kRun);
  EXPECT_EQ(r->status, RunStatus::kPending);
  EXPECT_EQ(r->objective, "loss");
  EXPECT_EQ(r->trial_index, -1);
  EXPECT_EQ(r->parallel, 1);
  EXPECT_FALSE(r->exit_code.has_value());
  EXPECT_TRUE(r->flags.empty());
}

TEST(RecordJson, ReadsKindAndExitCode) {
  Result<RunRecord> r = RecordFromJson(R"({"kind":"trial","exit_code":0})");
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r->kind, RunKind::kTrial);
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RecordJson, ReportsMalformedTextAsCorruption) {
  EXPECT_EQ(RecordFromJson("{not json").status().code(), Code::kCorruption);
  EXPECT_EQ(RecordFromJson("[1, 2]").status().code(), Code::kCorruption);
  EXPECT_EQ(RecordFromJson(R"({"attempt":"three"})").status().code(), Code::kCorruption);
  EXPECT_EQ(RecordFromJson(R"({"status":"sleeping"})").status().code(),
            Code::kCorruption);
  EXPECT_EQ(RecordFromJson(R"({"kind":"pipeline"})").status().code(), Code::kCorruption);
  EXPECT_EQ(RecordFromJson(R"({"flags":{"x":{"g":1}}})").status().code(),
            Code::kCorruption);
  EXPECT_EQ(RecordFromJson(R"({"flags":{"x":{"f":"big"}}})").status().code(),
            Code::kCorruption);
}

TEST(RecordJson, ReportsIntegerFieldsHoldingFloatsOrTooLargeNumbersAsCorruption) {
  EXPECT_EQ(RecordFromJson(R"({"seed":3.3e41})").status().code(), Code::kCorruption);
  EXPECT_EQ(RecordFromJson(R"({"seed":-1})").status().code(), Code::kCorruption);
  EXPECT_EQ(RecordFromJson(R"({"attempt":1.5})").status().code(), Code::kCorruption);
  EXPECT_EQ(RecordFromJson(R"({"exit_code":4294967296})").status().code(),
            Code::kCorruption);
  Result<RunRecord> r = RecordFromJson(R"({"seed":18446744073709551615,"attempt":2})");
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r->seed, 18446744073709551615u);
  EXPECT_EQ(r->attempt, 2);
}

TEST(RecordJson, ReplacesBytesThatAreNotUtf8) {
  RunRecord record;
  record.reason = "bad \xff byte";
  EXPECT_EQ(RoundTrip(record).reason, "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace salvo
