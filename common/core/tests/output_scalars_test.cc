#include "common/core/output_scalars.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace salvo {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const std::set<std::string> kNoFlags;

// Every point the lines record, in order.
std::vector<ScalarPoint> FeedAll(OutputScalarParser& parser,
                                 const std::vector<std::string>& lines) {
  std::vector<ScalarPoint> all;
  for (const std::string& line : lines) {
    for (ScalarPoint& p : parser.Feed(line)) all.push_back(std::move(p));
  }
  return all;
}

void ExpectPoints(const std::vector<ScalarPoint>& got,
                  const std::vector<ScalarPoint>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].tag, want[i].tag) << "point " << i;
    EXPECT_EQ(got[i].step, want[i].step) << "point " << i;
    EXPECT_EQ(got[i].value, want[i].value) << "point " << i;
  }
}

TEST(OutputScalarParser, RecordsAKeyValueLineAtStepZero) {
  OutputScalarParser parser(kNoFlags);
  ExpectPoints(parser.Feed("loss: 0.5"), {{"loss", 0, 0.5}});
}

TEST(OutputScalarParser, RecordsAValueAtTheStepInParentheses) {
  OutputScalarParser parser(kNoFlags);
  ExpectPoints(parser.Feed("x: 1.1 (10)"), {{"x", 10, 1.1}});
  ExpectPoints(parser.Feed("y: 2 (step 12)"), {{"y", 12, 2.0}});
}

TEST(OutputScalarParser, ImpliesAStepThatGrowsWhenAKeyReappears) {
  OutputScalarParser parser(kNoFlags);
  std::vector<ScalarPoint> points =
      FeedAll(parser, {"x: 1.1", "y: 2.2", "y: 3.3", "y: 4.4", "x: 5.5", "y: 6.6"});
  ExpectPoints(points, {{"x", 0, 1.1},
                        {"y", 0, 2.2},
                        {"y", 1, 3.3},
                        {"y", 2, 4.4},
                        {"x", 2, 5.5},
                        {"y", 3, 6.6}});
}

TEST(OutputScalarParser, IgnoresKeysThatAreFlagNames) {
  OutputScalarParser parser({"x", "noise"});
  std::vector<ScalarPoint> points =
      FeedAll(parser, {"x: 0.1", "noise: 0.1", "loss: 0.3", "x: 0.2", "loss: 0.25"});
  ExpectPoints(points, {{"loss", 0, 0.3}, {"loss", 1, 0.25}});
}

TEST(OutputScalarParser, KeepsNanAndInfiniteValues) {
  OutputScalarParser parser(kNoFlags);
  std::vector<ScalarPoint> points = FeedAll(parser, {"loss: nan", "a: inf", "b: -inf"});
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].tag, "loss");
  EXPECT_TRUE(std::isnan(points[0].value));
  EXPECT_EQ(points[1].value, kInf);
  EXPECT_EQ(points[2].value, -kInf);
}

TEST(OutputScalarParser, StripsTrailingWhiteSpace) {
  OutputScalarParser parser(kNoFlags);
  ExpectPoints(parser.Feed("loss: 0.5  \t\r\n"), {{"loss", 0, 0.5}});
}

TEST(OutputScalarParser, AcceptsAParenthesizedSuffixThatIsNotAStep) {
  OutputScalarParser parser(kNoFlags);
  ExpectPoints(parser.Feed("loss: 0.5 (best so far)"), {{"loss", 0, 0.5}});
  ExpectPoints(parser.Feed("acc: 0.9 ( 3)"), {{"acc", 0, 0.9}});
}

TEST(OutputScalarParser, AcceptsKeysWithSlashesAndInnerColons) {
  OutputScalarParser parser(kNoFlags);
  ExpectPoints(parser.Feed("val/acc: 0.9"), {{"val/acc", 0, 0.9}});
  ExpectPoints(parser.Feed("a:b: 1"), {{"a:b", 0, 1.0}});
  ExpectPoints(parser.Feed("_x9: 2"), {{"_x9", 0, 2.0}});
}

TEST(OutputScalarParser, RecordsNothingForLinesOutsideThePatterns) {
  OutputScalarParser parser(kNoFlags);
  for (const char* line : {"loss 0.5", "loss:0.5", "  loss: 0.5", "1loss: 2",
                           "loss: 0.5 extra", "model: resnet", "loss: 0.5 (open",
                           "loss: ", "loss:", "", ": 1", "loss: 0.5(3)", "loss: 1,5"}) {
    EXPECT_TRUE(parser.Feed(line).empty()) << line;
  }
}

TEST(OutputScalarParser, AStepLineSetsTheStepOfTheLinesThatFollow) {
  OutputScalarParser parser(kNoFlags);
  std::vector<ScalarPoint> points =
      FeedAll(parser, {"step: 5", "loss: 1", "loss: 2", "step: 7", "loss: 3", "acc: 4"});
  ExpectPoints(points,
               {{"loss", 5, 1.0}, {"loss", 5, 2.0}, {"loss", 7, 3.0}, {"acc", 7, 4.0}});
}

TEST(OutputScalarParser, ANegativeStepLineIsIgnored) {
  // Found by fuzzing: `step: -3` made the following points' step negative.
  OutputScalarParser parser(kNoFlags);
  std::vector<ScalarPoint> points = FeedAll(
      parser, {"step: 2", "loss: 1", "step: -3", "acc: 4", "step: -0.5", "x2: 5"});
  // -0.5 truncates to step 0, as int() does.
  ExpectPoints(points, {{"loss", 2, 1.0}, {"acc", 2, 4.0}, {"x2", 0, 5.0}});
}

TEST(OutputScalarParser, AStepSuffixCarriesToTheLinesThatFollow) {
  OutputScalarParser parser(kNoFlags);
  std::vector<ScalarPoint> points = FeedAll(parser, {"x: 1 (3)", "y: 2", "y: 4"});
  ExpectPoints(points, {{"x", 3, 1.0}, {"y", 3, 2.0}, {"y", 3, 4.0}});
}

TEST(OutputScalarParser, ReadsSignedExponentAndBareDecimalNumbers) {
  OutputScalarParser parser(kNoFlags);
  std::vector<ScalarPoint> points =
      FeedAll(parser, {"a: 1e-3", "b: -2.5E+2", "c: +3", "d: 5.", "e: .5", "f: 007"});
  ExpectPoints(points, {{"a", 0, 0.001},
                        {"b", 0, -250.0},
                        {"c", 0, 3.0},
                        {"d", 0, 5.0},
                        {"e", 0, 0.5},
                        {"f", 0, 7.0}});
}

TEST(ParseScalarNumber, ReadsWhatPythonFloatReadsForTheDefaultPatterns) {
  EXPECT_EQ(ParseScalarNumber("0.1"), 0.1);
  EXPECT_EQ(ParseScalarNumber("-17"), -17.0);
  EXPECT_EQ(ParseScalarNumber("6.02e23"), 6.02e23);
  EXPECT_EQ(ParseScalarNumber("1e400"), kInf);
  EXPECT_EQ(ParseScalarNumber("-1e400"), -kInf);
  EXPECT_EQ(ParseScalarNumber("123456789e-999999999999"), 0.0);
  EXPECT_EQ(ParseScalarNumber("1e-400"), 0.0);
  EXPECT_EQ(ParseScalarNumber("inf"), kInf);
  EXPECT_EQ(ParseScalarNumber("+Infinity"), kInf);
  EXPECT_EQ(ParseScalarNumber("-INF"), -kInf);
  EXPECT_TRUE(std::isnan(*ParseScalarNumber("nan")));
  EXPECT_TRUE(std::isnan(*ParseScalarNumber("NaN")));
  EXPECT_TRUE(std::signbit(*ParseScalarNumber("-0")));
}

TEST(ParseScalarNumber, RejectsTextThatIsNotOneNumber) {
  for (const char* text : {"", "abc", "1e", "1e+", ".", "-", "1.2.3", "0x10", "1_000",
                           " 1", "1 ", "--1", "nan1", "infinit", "e5"}) {
    EXPECT_FALSE(ParseScalarNumber(text).has_value()) << text;
  }
}

TEST(OutputScalarPatterns, RecordsATaggedPatternsFirstGroup) {
  Result<OutputScalarParser> parser =
      OutputScalarParser::Make({}, {{"loss", R"(Loss=(\value))"}});
  ASSERT_TRUE(parser.ok()) << parser.status().ToString();
  ExpectPoints(parser->Feed("epoch 1 Loss=0.25 acc=0.5"), {{"loss", 0, 0.25}});
  ExpectPoints(parser->Feed("epoch 2 Loss=0.125"), {{"loss", 1, 0.125}});
  EXPECT_TRUE(parser->Feed("loss: 0.5").empty());
}

TEST(OutputScalarPatterns, RecordsEveryMatchOfAKeyedPatternWithFlagKeysKept) {
  Result<OutputScalarParser> parser =
      OutputScalarParser::Make({"a"}, {{"", R"((\key)=(\value))"}});
  ASSERT_TRUE(parser.ok()) << parser.status().ToString();
  ExpectPoints(parser->Feed("a=1 b=2.5 c=x"), {{"a", 0, 1.0}, {"b", 0, 2.5}});
}

TEST(OutputScalarPatterns, AKeyedStepSetsTheStep) {
  Result<OutputScalarParser> parser =
      OutputScalarParser::Make({}, {{"", R"((\key)=(\value))"}});
  ASSERT_TRUE(parser.ok()) << parser.status().ToString();
  ExpectPoints(parser->Feed("step=4 loss=0.5"), {{"loss", 4, 0.5}});
}

TEST(OutputScalarPatterns, KeepsAnEscapedBackslashBeforeAShorthandName) {
  Result<OutputScalarParser> parser =
      OutputScalarParser::Make({}, {{"v", R"(a\\key=(\step))"}});
  ASSERT_TRUE(parser.ok()) << parser.status().ToString();
  ExpectPoints(parser->Feed(R"(a\key=12)"), {{"v", 0, 12.0}});
  EXPECT_TRUE(parser->Feed("akey=12").empty());
}

TEST(OutputScalarPatterns, MakeRefusesARegexThatDoesNotCompile) {
  Result<OutputScalarParser> parser = OutputScalarParser::Make({}, {{"loss", "Loss=(["}});
  ASSERT_FALSE(parser.ok());
  EXPECT_EQ(parser.status().code(), Code::kInvalidArgument);
  EXPECT_NE(parser.status().message().find("Loss=(["), std::string::npos)
      << parser.status().message();
}

TEST(OutputScalarPatterns, MakeRefusesPatternsWithoutTheirGroups) {
  EXPECT_EQ(OutputScalarParser::Make({}, {{"loss", "Loss"}}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(OutputScalarParser::Make({}, {{"", R"(\key=(\value))"}}).status().code(),
            Code::kInvalidArgument);
}

TEST(OutputScalarPatterns, TheConstructorSkipsABadPatternAndKeepsTheRest) {
  OutputScalarParser parser(kNoFlags, {{"bad", "(["}, {"acc", R"(acc (\value))"}});
  ExpectPoints(parser.Feed("acc 0.75"), {{"acc", 0, 0.75}});
}

}  // namespace
}  // namespace salvo
