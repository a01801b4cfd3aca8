#include "coordinator/table.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace salvo {
namespace {

TEST(TruncateFloatTest, CutsToSixDecimalsWithoutRounding) {
  EXPECT_EQ(TruncateFloat(0.1234567), "0.123456");
  EXPECT_EQ(TruncateFloat(0.9999999), "0.999999");
  EXPECT_EQ(TruncateFloat(-0.1234567), "-0.123456");
  EXPECT_EQ(TruncateFloat(123.45678912), "123.456789");
}

TEST(TruncateFloatTest, KeepsShortValuesAsWritten) {
  EXPECT_EQ(TruncateFloat(0.1), "0.1");
  EXPECT_EQ(TruncateFloat(0.3), "0.3");
  EXPECT_EQ(TruncateFloat(2.0), "2.0");
  EXPECT_EQ(TruncateFloat(-1.5), "-1.5");
  EXPECT_EQ(TruncateFloat(1e-05), "0.00001");
}

TEST(TruncateFloatTest, ShowsTinyValuesAsZeroAndSpecialValuesByName) {
  EXPECT_EQ(TruncateFloat(1e-7), "0.0");
  EXPECT_EQ(TruncateFloat(-1e-7), "0.0");
  EXPECT_EQ(TruncateFloat(std::nan("")), "nan");
  EXPECT_EQ(TruncateFloat(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(TruncateFloat(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(TruncateFloat(1e20), "1e+20");
}

TEST(CellTest, TableTextShowsBoolsAsYesNoAndNothingAsEmpty) {
  EXPECT_EQ(FormatCell(Cell::Bool(true)), "yes");
  EXPECT_EQ(FormatCell(Cell::Bool(false)), "no");
  EXPECT_EQ(FormatCell(Cell()), "");
  EXPECT_EQ(FormatCell(Cell::Int(-3)), "-3");
  EXPECT_EQ(FormatCell(Cell::Text("gp_hedge")), "gp_hedge");
}

TEST(CellTest, RawTextKeepsFullPrecision) {
  EXPECT_EQ(RawCell(Cell::Float(0.1234567)), "0.1234567");
  EXPECT_EQ(RawCell(Cell::Float(1.0)), "1.0");
  EXPECT_EQ(RawCell(Cell::Bool(true)), "true");
  EXPECT_EQ(RawCell(Cell()), "");
}

TEST(CellTest, FlagValuesBecomeTypedCells) {
  EXPECT_EQ(CellFromFlag(FlagValue::Float(0.5)), Cell::Float(0.5));
  EXPECT_EQ(CellFromFlag(FlagValue::Int(3)), Cell::Int(3));
  EXPECT_EQ(CellFromFlag(FlagValue::Bool(true)), Cell::Bool(true));
  EXPECT_EQ(CellFromFlag(FlagValue::String("adam")), Cell::Text("adam"));
  EXPECT_TRUE(CellFromFlag(FlagValue::Null()).empty());
  FlagValue list = FlagValue::List({FlagValue::Int(1), FlagValue::Int(2)});
  EXPECT_EQ(CellFromFlag(list), Cell::Text("[1, 2]"));
}

TEST(CellTest, ComparesNumbersByValueAndTextByCharacters) {
  EXPECT_LT(CompareCells(Cell::Int(2), Cell::Float(10.5)), 0);
  EXPECT_GT(CompareCells(Cell::Float(-0.1), Cell::Float(-0.2)), 0);
  EXPECT_EQ(CompareCells(Cell::Int(1), Cell::Float(1.0)), 0);
  EXPECT_LT(CompareCells(Cell::Text("adam"), Cell::Text("sgd")), 0);
}

TEST(NaturalLessTest, OrdersDigitRunsByValue) {
  std::vector<std::string> names = {"x10", "x2", "b", "x1", "a10b", "a9b", "x02"};
  std::sort(names.begin(), names.end(), NaturalLess);
  EXPECT_EQ(names,
            (std::vector<std::string>{"a9b", "a10b", "b", "x1", "x02", "x2", "x10"}));
}

TEST(ClosestNameTest, SuggestsANameThatExtendsTheOneGiven) {
  std::vector<std::string> names = {"loss", "lr", "val_accuracy", "val_loss"};
  EXPECT_EQ(ClosestName("val_acc", names), "val_accuracy");
  EXPECT_EQ(ClosestName("los", names), "loss");
  EXPECT_EQ(ClosestName("val_lss", names), "val_loss");
}

TEST(ClosestNameTest, SuggestsNothingFarAway) {
  EXPECT_EQ(ClosestName("epoch", {"loss", "x"}), std::nullopt);
  EXPECT_EQ(ClosestName("x", {}), std::nullopt);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(TimeFormatTest, PrintsLocalTimeAndElapsedTime) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(FormatLocalTime(int64_t{1578994693} * 1000000), "2020-01-14 09:38:13");
  EXPECT_EQ(FormatLocalTime(0), "");
  EXPECT_EQ(FormatDuration(int64_t{3723} * 1000000 + 999999), "1:02:03");
  EXPECT_EQ(FormatDuration(int64_t{100} * 3600 * 1000000), "100:00:00");
  EXPECT_EQ(FormatDuration(-1), "");
}

TEST(WriteAlignedTest, PadsColumnsTwoSpacesApartWithoutTrailingSpaces) {
  std::ostringstream out;
  WriteAligned(out, {{"[1:1933bdcb]", "train.py", "completed", "x=1"},
                     {"[2:bfcff413]", "train.py+", "completed", ""},
                     {"[10:0000aaaa]", "t", "error", "x=2"}});
  EXPECT_EQ(out.str(),
            "[1:1933bdcb]   train.py   completed  x=1\n"
            "[2:bfcff413]   train.py+  completed\n"
            "[10:0000aaaa]  t          error      x=2\n");
}

TEST(WriteCsvTest, QuotesOnlyFieldsThatNeedIt) {
  std::ostringstream out;
  WriteCsv(out, {{"run", "label"}, {"abc", "x=1, y=\"2\""}, {"d", ""}});
  EXPECT_EQ(out.str(), "run,label\r\nabc,\"x=1, y=\"\"2\"\"\"\r\nd,\r\n");
}

TEST(ColumnSpecTest, ReadsFlagsAttributesAndQualifiedScalars) {
  auto specs = ParseColumnSpecs("=lr, .status,val_acc , min loss step as best step");
  ASSERT_TRUE(specs.ok()) << specs.status().message();
  ASSERT_EQ(specs->size(), 4u);
  EXPECT_EQ((*specs)[0].kind, ColumnSpec::Kind::kFlag);
  EXPECT_EQ((*specs)[0].name, "lr");
  EXPECT_EQ((*specs)[0].heading, "lr");
  EXPECT_EQ((*specs)[1].kind, ColumnSpec::Kind::kAttr);
  EXPECT_EQ((*specs)[1].heading, "status");
  EXPECT_EQ((*specs)[2].kind, ColumnSpec::Kind::kScalar);
  EXPECT_EQ((*specs)[2].qualifier, "last");
  EXPECT_EQ((*specs)[2].heading, "val_acc");
  EXPECT_EQ((*specs)[3].qualifier, "min");
  EXPECT_TRUE((*specs)[3].step);
  EXPECT_EQ((*specs)[3].name, "loss");
  EXPECT_EQ((*specs)[3].heading, "best step");
}

TEST(ColumnSpecTest, HeadingOfAQualifiedScalarIsItsSpec) {
  auto specs = ParseColumnSpecs("max acc");
  ASSERT_TRUE(specs.ok());
  EXPECT_EQ(specs->front().heading, "max acc");
  // A lone qualifier word is a tag.
  specs = ParseColumnSpecs("count");
  ASSERT_TRUE(specs.ok());
  EXPECT_EQ(specs->front().name, "count");
  EXPECT_FALSE(specs->front().qualified);
}

TEST(ColumnSpecTest, RejectsSpecsItCannotRead) {
  EXPECT_EQ(ParseColumnSpecs("loss,").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseColumnSpecs("loss as").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseColumnSpecs("min loss extra").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseColumnSpecs("= ").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseColumnSpecs("min loss extra").status().message(),
            "cannot read column spec 'min loss extra'");
}

TEST(ScalarSummaryTest, KeepsFirstLastMinMaxWithTheirSteps) {
  auto summary = SummarizeScalars(
      {{"loss", 0, 0.5}, {"acc", 0, 0.1}, {"loss", 1, 0.2}, {"loss", 2, 0.3}})["loss"];
  ColumnSpec spec;
  EXPECT_EQ(ScalarCell(spec, summary), Cell::Float(0.3));
  spec.qualifier = "first";
  EXPECT_EQ(ScalarCell(spec, summary), Cell::Float(0.5));
  spec.qualifier = "min";
  EXPECT_EQ(ScalarCell(spec, summary), Cell::Float(0.2));
  spec.step = true;
  EXPECT_EQ(ScalarCell(spec, summary), Cell::Int(1));
  spec.step = false;
  spec.qualifier = "max";
  EXPECT_EQ(ScalarCell(spec, summary), Cell::Float(0.5));
  spec.qualifier = "count";
  EXPECT_EQ(ScalarCell(spec, summary), Cell::Int(3));
  spec.qualifier = "total";
  EXPECT_DOUBLE_EQ(*ScalarCell(spec, summary).number(), 1.0);
  spec.qualifier = "avg";
  EXPECT_DOUBLE_EQ(*ScalarCell(spec, summary).number(), 1.0 / 3);
}

}  // namespace
}  // namespace salvo
