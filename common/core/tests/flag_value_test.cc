// Flag-value decoding, encoding and labels. The numbered comments refer to the rows of
// the reference's test-vector table; rows 15, 26, 32, 33, 42 and 49 check Salvo's
// documented differences (docs/flags.md).

#include "common/core/flag_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace salvo {

inline void PrintTo(const FlagValue& v, std::ostream* os) { *os << EncodeFlagValue(v); }

namespace {

FlagValue I(int64_t i) { return FlagValue::Int(i); }
FlagValue F(double d) { return FlagValue::Float(d); }
FlagValue S(std::string s) { return FlagValue::String(std::move(s)); }
FlagValue B(bool b) { return FlagValue::Bool(b); }
FlagValue L(FlagList items) { return FlagValue::List(std::move(items)); }

FlagValue Decode(std::string_view text, FlagType type = FlagType::kAuto) {
  Result<DecodedFlag> decoded = DecodeFlagValue(text, type);
  EXPECT_TRUE(decoded.ok()) << text << ": " << decoded.status().message();
  return decoded.ok() ? decoded->value : S("<error>");
}

std::vector<std::string> Warnings(std::string_view text) {
  Result<DecodedFlag> decoded = DecodeFlagValue(text);
  EXPECT_TRUE(decoded.ok()) << text << ": " << decoded.status().message();
  return decoded.ok() ? decoded->warnings : std::vector<std::string>{"<error>"};
}

std::string DecodeError(std::string_view text, std::string_view flag_name = "") {
  Result<DecodedFlag> decoded = DecodeFlagValue(text, FlagType::kAuto, flag_name);
  EXPECT_FALSE(decoded.ok()) << text << " decoded as " << EncodeFlagValue(decoded->value);
  if (decoded.ok()) return "";
  EXPECT_EQ(decoded.status().code(), Code::kInvalidArgument);
  return decoded.status().message();
}

FlagList Ints(std::initializer_list<int64_t> values) {
  FlagList out;
  for (int64_t v : values) out.push_back(I(v));
  return out;
}

FlagList Floats(std::initializer_list<double> values) {
  FlagList out;
  for (double v : values) out.push_back(F(v));
  return out;
}

// ---- Scalars (rows 1-10) ----

TEST(DecodeFlagValueTest, ReadsIntegersAsPythonIntDoes) {
  EXPECT_EQ(Decode("1"), I(1));    // row 1
  EXPECT_EQ(Decode("001"), I(1));  // row 2
  EXPECT_EQ(Decode("-3"), I(-3));
  EXPECT_EQ(Decode("+3"), I(3));
  EXPECT_EQ(Decode(" 7 "), I(7));
  EXPECT_EQ(Decode("9223372036854775807"), I(std::numeric_limits<int64_t>::max()));
}

TEST(DecodeFlagValueTest, ReadsIntegersTooLargeForInt64AsFloats) {
  EXPECT_EQ(Decode("9223372036854775808"), F(9223372036854775808.0));
}

TEST(DecodeFlagValueTest, ReadsFloatsAsPythonFloatDoes) {
  EXPECT_EQ(Decode("1.0"), F(1.0));     // row 3
  EXPECT_EQ(Decode("12e3"), F(12000));  // row 4
  EXPECT_EQ(Decode("1."), F(1.0));
  EXPECT_EQ(Decode(".5"), F(0.5));
  EXPECT_EQ(Decode("-2.5E-3"), F(-0.0025));
  EXPECT_EQ(Decode("inf"), F(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(Decode("-Infinity"), F(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(Decode("1e999"), F(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(Decode("1e-999"), F(0.0));
  FlagValue nan = Decode("nan");
  ASSERT_EQ(nan.kind(), FlagValue::Kind::kFloat);
  EXPECT_TRUE(std::isnan(*nan.number()));
}

TEST(DecodeFlagValueTest, ReadsYaml11BooleansAndNulls) {
  EXPECT_EQ(Decode("yes"), B(true));  // row 5
  EXPECT_EQ(Decode("no"), B(false));
  EXPECT_EQ(Decode("null"), FlagValue::Null());
  for (const char* text : {"Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
    EXPECT_EQ(Decode(text), B(true)) << text;
  }
  for (const char* text : {"No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
    EXPECT_EQ(Decode(text), B(false)) << text;
  }
  for (const char* text : {"~", "Null", "NULL"}) {
    EXPECT_EQ(Decode(text), FlagValue::Null()) << text;
  }
}

TEST(DecodeFlagValueTest, KeepsWordsYamlDoesNotTypeAsStrings) {
  EXPECT_EQ(Decode("y"), S("y"));
  EXPECT_EQ(Decode("yEs"), S("yEs"));
  EXPECT_EQ(Decode("nULL"), S("nULL"));
  EXPECT_EQ(Decode("hello world"), S("hello world"));
  EXPECT_EQ(Decode("a: b"), S("a: b"));
}

TEST(DecodeFlagValueTest, ReadsYaml11HexBinaryAndDotInfinity) {
  EXPECT_EQ(Decode("0x1F"), I(31));
  EXPECT_EQ(Decode("-0b101"), I(-5));
  EXPECT_EQ(Decode(".inf"), F(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(Decode("-.Inf"), F(-std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(std::isnan(*Decode(".NaN").number()));
}

TEST(DecodeFlagValueTest, KeepsNumbersWithUnderscoresOrColonsAsText) {
  EXPECT_EQ(Decode("1_2_3"), S("1_2_3"));  // row 6
  EXPECT_EQ(Decode("1.1_2"), S("1.1_2"));
  EXPECT_EQ(Decode("1:2"), S("1:2"));  // row 7
  EXPECT_EQ(Decode("0x1_F"), S("0x1_F"));
}

TEST(DecodeFlagValueTest, ReadsEmptyTextAsEmptyString) {
  EXPECT_EQ(Decode(""), S(""));  // row 8
  EXPECT_EQ(Decode("''"), S(""));
}

TEST(DecodeFlagValueTest, UnquotesQuotedText) {
  EXPECT_EQ(Decode("'a b'"), S("a b"));
  EXPECT_EQ(Decode("\"a b\""), S("a b"));
  EXPECT_EQ(Decode("'1'"), S("1"));
  EXPECT_EQ(Decode("'yes'"), S("yes"));
  EXPECT_EQ(Decode("'it''s'"), S("it's"));
  EXPECT_EQ(Decode("\"tab\\there\""), S("tab\there"));
}

TEST(DecodeFlagValueTest, KeepsBadlyQuotedTextAsWritten) {
  EXPECT_EQ(Decode("'a' b"), S("'a' b"));
  EXPECT_EQ(Decode("'a"), S("'a"));
  EXPECT_EQ(Decode("it's"), S("it's"));
}

// ---- Declared types (rows 9, 10) ----

TEST(DecodeFlagValueTest, FallsBackToUntypedRulesWhenTypedDecodingFails) {
  EXPECT_EQ(Decode("1.1", FlagType::kInt), F(1.1));  // row 9
  EXPECT_EQ(Decode("foo", FlagType::kFloat), S("foo"));
  EXPECT_EQ(Decode("foo", FlagType::kBoolean), S("foo"));
  EXPECT_EQ(Decode("abc", FlagType::kNumber), S("abc"));
}

TEST(DecodeFlagValueTest, AppliesDeclaredTypes) {
  EXPECT_EQ(Decode("0.0", FlagType::kBoolean), B(false));  // row 10
  EXPECT_EQ(Decode("2", FlagType::kBoolean), B(true));
  EXPECT_EQ(Decode("yes", FlagType::kBoolean), B(true));
  EXPECT_EQ(Decode("1", FlagType::kFloat), F(1.0));
  EXPECT_EQ(Decode("1", FlagType::kNumber), I(1));
  EXPECT_EQ(Decode("1.5", FlagType::kNumber), F(1.5));
  EXPECT_EQ(Decode("007", FlagType::kInt), I(7));
}

TEST(DecodeFlagValueTest, StringTypeKeepsTextUnlessItStartsWithBracketOrQuote) {
  EXPECT_EQ(Decode("001", FlagType::kString), S("001"));
  EXPECT_EQ(Decode("yes", FlagType::kString), S("yes"));
  EXPECT_EQ(Decode("range[1:3]", FlagType::kString), S("range[1:3]"));
  EXPECT_EQ(Decode("/tmp/data", FlagType::kPath), S("/tmp/data"));
  EXPECT_EQ(Decode("", FlagType::kString), S(""));
  EXPECT_EQ(Decode("'quoted'", FlagType::kString), S("quoted"));
  EXPECT_EQ(Decode("[001,002]", FlagType::kString), L(Ints({1, 2})));
}

TEST(ParseFlagTypeTest, ReadsTypeNamesOfOperationFiles) {
  EXPECT_EQ(*ParseFlagType("string"), FlagType::kString);
  EXPECT_EQ(*ParseFlagType("int"), FlagType::kInt);
  EXPECT_EQ(*ParseFlagType("float"), FlagType::kFloat);
  EXPECT_EQ(*ParseFlagType("number"), FlagType::kNumber);
  EXPECT_EQ(*ParseFlagType("boolean"), FlagType::kBoolean);
  EXPECT_EQ(*ParseFlagType("path"), FlagType::kPath);
  EXPECT_EQ(*ParseFlagType("existing-path"), FlagType::kPath);
  EXPECT_EQ(*ParseFlagType("auto"), FlagType::kAuto);
}

TEST(ParseFlagTypeTest, RejectsUnknownTypeNames) {
  Result<FlagType> type = ParseFlagType("bool");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().message(),
            "unknown flag type 'bool' (expected auto, string, int, float, number, "
            "boolean, path or existing-path)");
}

// ---- Lists (rows 11-16) ----

TEST(DecodeFlagValueTest, ReadsFlowLists) {
  EXPECT_EQ(Decode("[1,2,3]"), L(Ints({1, 2, 3})));  // row 11
  EXPECT_EQ(Decode("[]"), L({}));
  EXPECT_EQ(Decode("[1]"), L(Ints({1})));  // row 20
  EXPECT_EQ(Decode("[hi]"), L({S("hi")}));
}

TEST(DecodeFlagValueTest, TypesListItemsByYaml11Rules) {
  EXPECT_EQ(Decode("[a, 'b c', no, 1e-3]"), L({S("a"), S("b c"), B(false), F(0.001)}));
  EXPECT_EQ(Decode("[yes, Off, ~, null, 'null']"),
            L({B(true), B(false), FlagValue::Null(), FlagValue::Null(), S("null")}));
  EXPECT_EQ(Decode("[001, 1e2, .5, -1]"), L({I(1), F(100), F(0.5), I(-1)}));
}

TEST(DecodeFlagValueTest, DoesNotReadSexagesimalOrUnderscoredListItems) {
  EXPECT_EQ(Decode("[1:2, 3]"), L({S("1:2"), I(3)}));
  EXPECT_EQ(Decode("[1_000, 2]"), L({S("1_000"), I(2)}));
}

TEST(DecodeFlagValueTest, RepeatsListsWithStar) {
  EXPECT_EQ(Decode("[1,2] * 2"), L(Ints({1, 2, 1, 2})));  // row 12
  EXPECT_EQ(Decode("[1] * 0"), L({}));                    // row 13
  EXPECT_EQ(Decode("[a]*3"), L({S("a"), S("a"), S("a")}));
}

TEST(DecodeFlagValueTest, RejectsRepeatingWhatIsNotAList) {
  EXPECT_EQ(DecodeError("[1:2] * 2"), "only a list can be repeated: '[1:2] * 2'");
  EXPECT_EQ(DecodeError("[1,2] * 99999999999"),
            "'[1,2] * 99999999999' gives more than 100000 values");
}

TEST(DecodeFlagValueTest, RejectsNestedLists) {
  EXPECT_EQ(DecodeError("[[1:2]]"), "nested lists are not flag values");  // row 15
  EXPECT_EQ(DecodeError("[1, [2, 3]]", "x"),
            "invalid value for flag x: nested lists are not flag values");
}

TEST(DecodeFlagValueTest, RejectsMaps) {
  EXPECT_EQ(DecodeError("{a: 1}"), "maps are not flag values");
  EXPECT_EQ(DecodeError("[x, a: 1]"), "maps are not flag values");
  EXPECT_EQ(DecodeError("[{a: 1}]"), "maps are not flag values");
}

TEST(DecodeFlagValueTest, RejectsBracketedTextThatIsNotAList) {
  EXPECT_EQ(DecodeError("[1,[2]").rfind("cannot read '[1,[2]' as a list", 0), 0u);
}

TEST(DecodeFlagValueTest, KeepsQuotedListsAsText) {
  EXPECT_EQ(Decode("'[1,2,3,a,b,c]'"), S("[1,2,3,a,b,c]"));  // row 16
}

// ---- Flag functions (rows 14, 17-20) ----

TEST(DecodeFlagValueTest, ReadsAnonymousFunctionKeepingItsText) {
  FlagValue v = Decode("[1:2]");  // row 14
  ASSERT_TRUE(v.is_function());
  EXPECT_EQ(v.function().name, "");
  EXPECT_EQ(v.function().args, Ints({1, 2}));
  EXPECT_EQ(v.function().text, "[1:2]");
}

TEST(DecodeFlagValueTest, ReadsEveryArgumentOfAnonymousFunction) {
  FlagValue v = Decode("[1:2:3:4:5]");  // row 17
  ASSERT_TRUE(v.is_function());
  EXPECT_EQ(v.function().name, "");
  EXPECT_EQ(v.function().args, Ints({1, 2, 3, 4, 5}));
}

TEST(DecodeFlagValueTest, ParsesAnyFunctionName) {
  FlagValue v = Decode("log-uniform[-2.0:2.0]");  // row 18
  ASSERT_TRUE(v.is_function());
  EXPECT_EQ(v.function().name, "log-uniform");
  EXPECT_EQ(v.function().args, Floats({-2.0, 2.0}));
  EXPECT_EQ(v.function().text, "log-uniform[-2.0:2.0]");
}

TEST(DecodeFlagValueTest, TrimsAndDecodesFunctionArguments) {
  FlagValue v = Decode("[a : b : c]");  // row 19
  ASSERT_TRUE(v.is_function());
  EXPECT_EQ(v.function().name, "");
  EXPECT_EQ(v.function().args, FlagList({S("a"), S("b"), S("c")}));

  FlagValue log = Decode("loguniform[1e-5:1e-1:1e-3]");
  ASSERT_TRUE(log.is_function());
  EXPECT_EQ(log.function().name, "loguniform");
  EXPECT_EQ(log.function().args, Floats({1e-5, 1e-1, 1e-3}));
}

TEST(DecodeFlagValueTest, DoesNotReadListsOrQuotedTextAsFunctions) {
  EXPECT_FALSE(Decode("[1]").is_function());  // row 20
  EXPECT_FALSE(Decode("[1,2,3]").is_function());
  EXPECT_EQ(Decode("'[1:2]'"), S("[1:2]"));
  EXPECT_FALSE(Decode("[]").is_function());
}

TEST(DecodeFlagValueTest, ReadsColonSpaceInsideBracketsAsFunction) {
  FlagValue v = Decode("[0.1: 0.5]");
  ASSERT_TRUE(v.is_function());
  EXPECT_EQ(v.function().args, Floats({0.1, 0.5}));
}

TEST(DecodeFlagValueTest, RejectsEmptyFunctionArguments) {
  EXPECT_EQ(DecodeError("[1:]", "x"),
            "invalid value for flag x: empty argument in '[1:]'");
}

// ---- range (rows 21-35) ----

TEST(DecodeFlagValueTest, ExpandsIntegerRangesWithInclusiveEnd) {
  EXPECT_EQ(Decode("range[1:5]"), L(Ints({1, 2, 3, 4, 5})));     // row 21
  EXPECT_EQ(Decode("range[0:5:2]"), L(Ints({0, 2, 4})));         // row 22
  EXPECT_EQ(Decode("range[5:1:-1]"), L(Ints({5, 4, 3, 2, 1})));  // row 23
  EXPECT_EQ(Decode("range[0:6:2]"), L(Ints({0, 2, 4, 6})));      // row 30
  EXPECT_EQ(Decode("range[1:10:3]"), L(Ints({1, 4, 7, 10})));    // row 31
}

TEST(DecodeFlagValueTest, ExpandsFloatRanges) {
  EXPECT_EQ(Decode("range[1:5:0.5]"),  // row 24
            L(Floats({1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0})));
  EXPECT_EQ(
      Decode("range[1e-5:1e-4:1e-5]"),  // row 25
      L(Floats({1e-05, 2e-05, 3e-05, 4e-05, 5e-05, 6e-05, 7e-05, 8e-05, 9e-05, 0.0001})));
}

TEST(DecodeFlagValueTest, ExpandsOneArgumentRangeFromZeroExcludingEnd) {
  EXPECT_EQ(Decode("range[10]"), L(Ints({0, 1, 2, 3, 4, 5, 6, 7, 8, 9})));  // row 26
  EXPECT_EQ(Decode("range[2.5]"), L(Floats({0.0, 1.0, 2.0})));
  EXPECT_EQ(Decode("range[0]"), L({}));
}

TEST(DecodeFlagValueTest, WarnsAndIgnoresExtraSequenceArguments) {
  EXPECT_EQ(Decode("range[1:5:1:2:3]"), L(Ints({1, 2, 3, 4, 5})));  // row 27
  EXPECT_EQ(Warnings("range[1:5:1:2:3]"),
            std::vector<std::string>{
                "unsupported arguments for range function: (2, 3) - ignoring"});
}

TEST(DecodeFlagValueTest, RejectsNonNumericSequenceArguments) {
  EXPECT_EQ(DecodeError("range[foo:bar]"),  // row 28
            "invalid argument 'foo' for range: expected a number");
  EXPECT_EQ(
      DecodeError("range[foo:bar]", "x"),
      "invalid value for flag x: invalid argument 'foo' for range: expected a number");
  EXPECT_EQ(DecodeError("range[nan:1]"),
            "invalid argument 'nan' for range: expected a finite number");
}

TEST(DecodeFlagValueTest, RejectsSequencesWithMissingArguments) {
  EXPECT_EQ(
      DecodeError("range[]"),  // row 29
      "missing argument END for range: expected range[END] or range[START:END:STEP]");
}

TEST(DecodeFlagValueTest, NeverPassesTheEndOfARange) {
  EXPECT_EQ(Decode("range[0:1:0.3]"), L(Floats({0.0, 0.3, 0.6, 0.9})));  // row 32
  EXPECT_EQ(Decode("range[5:0:-2]"), L(Ints({5, 3, 1})));                // row 33
  EXPECT_EQ(Decode("range[1:2:0.4]"), L(Floats({1.0, 1.4, 1.8})));
}

TEST(DecodeFlagValueTest, RoundsGeneratedFloatsToEightDecimals) {
  EXPECT_EQ(Decode("range[0:1:0.1]"),  // row 34
            L(Floats({0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0})));
  EXPECT_EQ(Decode("range[-0.3:0.3:0.1]"),
            L(Floats({-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3})));
}

TEST(DecodeFlagValueTest, ExpandsRangeInTheWrongDirectionToEmptyList) {
  EXPECT_EQ(Decode("range[5:1]"), L({}));  // row 35
  EXPECT_EQ(Decode("range[0:1:-0.5]"), L({}));
}

TEST(DecodeFlagValueTest, RejectsZeroStep) {
  EXPECT_EQ(DecodeError("range[0:1:0]"),
            "invalid argument '0' for range: the step must not be zero");
  EXPECT_EQ(DecodeError("range[0:1:0.0]"),
            "invalid argument '0.0' for range: the step must not be zero");
}

TEST(DecodeFlagValueTest, RejectsSequencesTooLongForABatch) {
  EXPECT_EQ(DecodeError("range[0:1e9]"),
            "'range[0:1e9]' gives 1000000001 values; at most 100000 are allowed");
  EXPECT_EQ(DecodeError("range[1e30]"),
            "'range[1e30]' gives 1e+30 values; at most 100000 are allowed");
}

// ---- linspace, logspace, geomspace (rows 36-49) ----

TEST(DecodeFlagValueTest, ExpandsLinspaceWithDefaultCountFive) {
  EXPECT_EQ(Decode("linspace[1:5]"), L(Floats({1.0, 2.0, 3.0, 4.0, 5.0})));      // row 36
  EXPECT_EQ(Decode("linspace[1:10]"), L(Floats({1.0, 3.25, 5.5, 7.75, 10.0})));  // row 37
  EXPECT_EQ(Decode("linspace[1e-2:1e-1:10]"),                                    // row 38
            L(Floats({0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1})));
}

TEST(DecodeFlagValueTest, WarnsAboutExtraLinspaceArguments) {
  EXPECT_EQ(Decode("linspace[1:5:5:hello:456]"),  // row 39
            L(Floats({1.0, 2.0, 3.0, 4.0, 5.0})));
  EXPECT_EQ(
      Warnings("linspace[1:5:5:hello:456]"),
      std::vector<std::string>{
          "unsupported arguments for linspace function: ('hello', 456) - ignoring"});
}

TEST(DecodeFlagValueTest, RejectsNonNumericLinspaceArguments) {
  EXPECT_EQ(DecodeError("linspace[1:bar]"),  // row 40
            "invalid argument 'bar' for linspace: expected a number");
  EXPECT_EQ(DecodeError("linspace[1]"),
            "missing argument END for linspace: expected linspace[START:END:COUNT]");
  EXPECT_EQ(
      DecodeError("linspace[0:1:2.5]"),
      "invalid argument '2.5' for linspace: COUNT must be a whole number of at least 0");
}

TEST(DecodeFlagValueTest, RoundsNegativeGeneratedFloatsToo) {
  EXPECT_EQ(Decode("linspace[-0.6:0.6:4]"), L(Floats({-0.6, -0.2, 0.2, 0.6})));  // row 41
  EXPECT_EQ(Decode("linspace[-1:1:4]"),                                          // row 42
            L(Floats({-1.0, -0.33333333, 0.33333333, 1.0})));
}

TEST(DecodeFlagValueTest, ExpandsLinspaceOfOneOrNoValues) {
  EXPECT_EQ(Decode("linspace[0:1:1]"), L(Floats({0.0})));  // row 43
  EXPECT_EQ(Decode("linspace[0:1:0]"), L({}));
}

TEST(DecodeFlagValueTest, ExpandsLogspace) {
  EXPECT_EQ(Decode("logspace[1:5]"),  // row 44
            L(Floats({10.0, 100.0, 1000.0, 10000.0, 100000.0})));
  EXPECT_EQ(Decode("logspace[-5:0:6]"),  // row 45
            L(Floats({1e-05, 0.0001, 0.001, 0.01, 0.1, 1.0})));
  EXPECT_EQ(Decode("logspace[0:3:4:2]"), L(Floats({1.0, 2.0, 4.0, 8.0})));  // row 46
  EXPECT_EQ(Decode("logspace[1:4:3]"), L(Floats({10.0, 316.22776602, 10000.0})));  // 47
  EXPECT_EQ(Decode("logspace[-2:2:5:2]"), L(Floats({0.25, 0.5, 1.0, 2.0, 4.0})));  // 48
}

TEST(DecodeFlagValueTest, KeepsTinyLogspaceValuesInsteadOfRoundingThemToZero) {
  EXPECT_EQ(Decode("logspace[-12:-9:4]"), L(Floats({1e-12, 1e-11, 1e-10, 1e-09})));
}

TEST(DecodeFlagValueTest, RejectsNonPositiveLogspaceBase) {
  EXPECT_EQ(DecodeError("logspace[0:1:3:-2]"),
            "invalid argument '-2' for logspace: BASE must be positive");
}

TEST(DecodeFlagValueTest, ExpandsGeomspace) {
  EXPECT_EQ(Decode("geomspace[1:100:3]"), L(Floats({1.0, 10.0, 100.0})));  // row 49
  EXPECT_EQ(Decode("geomspace[1:16]"), L(Floats({1.0, 2.0, 4.0, 8.0, 16.0})));
  EXPECT_EQ(Decode("geomspace[16:1:3]"), L(Floats({16.0, 4.0, 1.0})));
}

TEST(DecodeFlagValueTest, RejectsGeomspaceBoundsThatAreNotPositive) {
  EXPECT_EQ(DecodeError("geomspace[0:10]"),
            "invalid argument '0' for geomspace: START and END must be positive");
}

// ---- SplitFlagAssignment ----

TEST(SplitFlagAssignmentTest, SplitsAtTheFirstEqualsSign) {
  EXPECT_EQ(*SplitFlagAssignment("x=1"),
            std::make_pair(std::string("x"), std::string("1")));
  EXPECT_EQ(*SplitFlagAssignment("x=a=b"),
            std::make_pair(std::string("x"), std::string("a=b")));
  EXPECT_EQ(*SplitFlagAssignment("x="),
            std::make_pair(std::string("x"), std::string("")));
}

TEST(SplitFlagAssignmentTest, RejectsMissingNameOrEqualsSign) {
  EXPECT_EQ(SplitFlagAssignment("x").status().message(),
            "invalid flag 'x': expected NAME=VALUE");
  EXPECT_EQ(SplitFlagAssignment("=1").status().message(),
            "invalid flag '=1': the name is empty");
}

// ---- Encoding ----

TEST(FormatFloatTest, WritesPythonRepr) {
  EXPECT_EQ(FormatFloat(0.1), "0.1");
  EXPECT_EQ(FormatFloat(1.0), "1.0");
  EXPECT_EQ(FormatFloat(1e-05), "1e-05");
  EXPECT_EQ(FormatFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatFloat(100000.0), "100000.0");
  EXPECT_EQ(FormatFloat(1e15), "1000000000000000.0");
  EXPECT_EQ(FormatFloat(1e16), "1e+16");
  EXPECT_EQ(FormatFloat(1.5e16), "1.5e+16");
  EXPECT_EQ(FormatFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatFloat(-123.456), "-123.456");
  EXPECT_EQ(FormatFloat(0.0), "0.0");
  EXPECT_EQ(FormatFloat(-0.0), "-0.0");
  EXPECT_EQ(FormatFloat(5e-324), "5e-324");
  EXPECT_EQ(FormatFloat(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(FormatFloat(std::nan("")), "nan");
  EXPECT_EQ(FormatFloat(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatFloat(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(EncodeFlagValueTest, WritesScalarsYamlStyle) {
  EXPECT_EQ(EncodeFlagValue(I(1)), "1");
  EXPECT_EQ(EncodeFlagValue(F(0.1)), "0.1");
  EXPECT_EQ(EncodeFlagValue(F(1e-5)), "1e-05");
  EXPECT_EQ(EncodeFlagValue(B(true)), "yes");
  EXPECT_EQ(EncodeFlagValue(B(false)), "no");
  EXPECT_EQ(EncodeFlagValue(FlagValue::Null()), "null");
  EXPECT_EQ(EncodeFlagValue(S("hello")), "hello");
  EXPECT_EQ(EncodeFlagValue(S("a b")), "a b");
}

TEST(EncodeFlagValueTest, QuotesStringsThatWouldReadAsSomethingElse) {
  EXPECT_EQ(EncodeFlagValue(S("1")), "'1'");
  EXPECT_EQ(EncodeFlagValue(S("yes")), "'yes'");
  EXPECT_EQ(EncodeFlagValue(S("")), "''");
  EXPECT_EQ(EncodeFlagValue(S("null")), "'null'");
  EXPECT_EQ(EncodeFlagValue(S("[1:2]")), "'[1:2]'");
  EXPECT_EQ(EncodeFlagValue(S("'a'")), "'''a'''");
  EXPECT_EQ(EncodeFlagValue(S(" padded ")), "' padded '");
  EXPECT_EQ(EncodeFlagValue(S("two\nlines")), "\"two\\nlines\"");
}

TEST(EncodeFlagValueTest, WritesListsAndFunctions) {
  EXPECT_EQ(EncodeFlagValue(L(Ints({-1, 0, 1}))), "[-1, 0, 1]");
  EXPECT_EQ(EncodeFlagValue(L({S("a"), S("b c"), B(false), F(0.001), S("1")})),
            "[a, 'b c', no, 0.001, '1']");
  EXPECT_EQ(EncodeFlagValue(L({})), "[]");
  EXPECT_EQ(EncodeFlagValue(Decode("[ -2.0 : 2.0 ]")), "[ -2.0 : 2.0 ]");
  EXPECT_EQ(EncodeFlagValue(Decode("loguniform[1e-5:1e-1]")), "loguniform[1e-5:1e-1]");
}

TEST(FlagValueArgTest, PassesStringsUnquoted) {
  EXPECT_EQ(FlagValueArg(S("1")), "1");
  EXPECT_EQ(FlagValueArg(S("a b")), "a b");
  EXPECT_EQ(FlagValueArg(S("")), "");
  EXPECT_EQ(FlagValueArg(F(0.1)), "0.1");
  EXPECT_EQ(FlagValueArg(B(true)), "yes");
  EXPECT_EQ(FlagValueArg(I(-3)), "-3");
}

TEST(FlagLabelTest, SortsNamesAndOmitsNulls) {
  FlagMap flags = {{"x", I(-1)}, {"noise", F(0.1)}, {"unset", FlagValue::Null()}};
  EXPECT_EQ(FlagLabel(flags), "noise=0.1 x=-1");
}

TEST(FlagLabelTest, TruncatesFloatsToFiveDecimals) {
  FlagMap flags = {{"a", F(0.123456789)},
                   {"b", F(-0.333333333)},
                   {"c", F(3.9999999)},
                   {"d", F(1.23456789e-05)},
                   {"e", F(1.0)}};
  EXPECT_EQ(FlagLabel(flags), "a=0.12345 b=-0.33333 c=3.99999 d=1.23456e-05 e=1.0");
}

TEST(FlagLabelTest, EncodesOtherValuesYamlStyle) {
  FlagMap flags = {{"loud", B(true)}, {"msg", S("a b")}, {"n", S("1")}};
  EXPECT_EQ(FlagLabel(flags), "loud=yes msg=a b n='1'");
  EXPECT_EQ(FlagLabel({}), "");
}

// ---- Round trip ----

// Equal values, where NaN equals NaN and the sign of zero counts.
bool Identical(const FlagValue& a, const FlagValue& b) {
  if (a.kind() == FlagValue::Kind::kFloat && b.kind() == FlagValue::Kind::kFloat) {
    double x = *a.number(), y = *b.number();
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
    return x == y && std::signbit(x) == std::signbit(y);
  }
  if (a.is_list() && b.is_list()) {
    if (a.list().size() != b.list().size()) return false;
    for (size_t i = 0; i < a.list().size(); ++i) {
      if (!Identical(a.list()[i], b.list()[i])) return false;
    }
    return true;
  }
  return a == b;
}

class RandomValues {
 public:
  explicit RandomValues(uint64_t seed) : rng_(seed) {}

  FlagValue Value() {
    if (Pick(6) == 0) {
      FlagList items;
      for (int n = Pick(6); n > 0; --n) items.push_back(Scalar());
      return L(std::move(items));
    }
    return Scalar();
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  FlagValue Scalar() {
    switch (Pick(5)) {
      case 0:
        return Pick(4) == 0 ? FlagValue::Null() : B(Pick(2) == 1);
      case 1:
        return I(Pick(2) == 0 ? Pick(2001) - 1000 : static_cast<int64_t>(rng_()));
      case 2:
        return F(Float());
      default:
        return S(String());
    }
  }

  double Float() {
    switch (Pick(4)) {
      case 0: {  // any bit pattern, NaN and infinities included
        uint64_t bits = rng_();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
      }
      case 1:
        return (Pick(2001) - 1000) / 100.0;
      case 2:
        return std::pow(10.0, Pick(41) - 20) * (Pick(2) == 0 ? -1 : 1);
      default:
        return std::uniform_real_distribution<double>(-5, 5)(rng_);
    }
  }

  std::string String() {
    static const std::vector<std::string> kPieces = {
        "a",    "Z",          "x y",   "yes",   "No",
        "null", "~",          "1",     "007",   "1e3",
        "0x1F", ".inf",       "nan",   "-",     "_",
        ".",    ":",          ",",     "[",     "]",
        "{",    "}",          "'",     "\"",    "#",
        " ",    "*",          "&",     "!",     "|",
        ">",    "%",          "@",     "`",     "?",
        "\\",   "/",          "=",     "\t",    "\n",
        "é",    "range[1:3]", "[1:2]", "[1,2]", "uniform[0:1]",
        "* 2",  "--",         "...",   "+"};
    std::string s;
    for (int n = Pick(5); n > 0; --n) {
      s += kPieces[Pick(static_cast<int>(kPieces.size()))];
    }
    return s;
  }

  std::mt19937_64 rng_;
};

TEST(EncodeFlagValueTest, EncodingReadsBackAsTheSameValue) {
  RandomValues values(/*seed=*/20240611);
  for (int i = 0; i < 20000; ++i) {
    FlagValue v = values.Value();
    std::string text = EncodeFlagValue(v);
    Result<DecodedFlag> decoded = DecodeFlagValue(text);
    ASSERT_TRUE(decoded.ok()) << "value #" << i << " encoded as <" << text
                              << ">: " << decoded.status().message();
    ASSERT_TRUE(Identical(decoded->value, v))
        << "value #" << i << " encoded as <" << text << "> read back as <"
        << EncodeFlagValue(decoded->value) << ">";
  }
}

TEST(EncodeFlagValueTest, FunctionsReadBackFromTheirText) {
  for (const char* text :
       {"[1:2]", "uniform[-2.0:2.0:0.1]", "loguniform[1e-5:1e-1]", "[a : b]"}) {
    FlagValue v = Decode(text);
    EXPECT_EQ(Decode(EncodeFlagValue(v)), v) << text;
    EXPECT_EQ(Decode(EncodeFlagValue(v)).function().text, text);
  }
}

}  // namespace
}  // namespace salvo
